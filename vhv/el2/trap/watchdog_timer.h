// The S14 watchdog's deadline on the EL2 timer (issue 13): the scheduler
// programs every CPU's EL2 physical timer for the earliest armed watchdog
// too, so a guest that spins with interrupts masked and never exits is
// still caught within its deadline (plus the timer's latency), not only at
// its next exit.
#pragma once

namespace nestlab {

class Vm;

// The deadline of `vm`'s watchdog has passed (lock held, on any CPU): its
// action is carried out: a log line, a stop, or a reset.
void watchdog_timer_expired(Vm& vm);

}  // namespace nestlab
