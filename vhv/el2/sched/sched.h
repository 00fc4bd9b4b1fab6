// The lowvisor's vCPU scheduler (issue 13). The vCPUs of every VM of the VHV
// share its physical CPUs: each CPU runs sched_cpu_loop, which takes the
// runnable vCPU with the least weighted run time (vhv/common/vcpu_sched.h),
// loads its state, runs it until its time slice ends and another vCPU
// waits, it waits for an interrupt (WFI) or an event (WFE) while another
// vCPU waits for a CPU, a code path asks it to move (vcpu_migrate), it turns
// off or its VM ends, and puts its state away again. Time slices, the
// guests' emulated physical timers, the wake-up deadlines of waiting vCPUs
// and the S14 watchdogs all share the EL2 physical timer (CNTHP, PPI 26) of each CPU: it is
// programmed for the earliest of them (sched_timer_changed).
//
// Exit handling on every CPU runs under one lock (sched_lock()): devices,
// the virtual GIC models, the channel and the status pages have a single
// writer at a time. It is released only while a guest runs or a CPU sleeps.
#pragma once

#include <cstdint>

#include "vhv/el2/sched/spinlock.h"
#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;
struct Vcpu;

Spinlock& sched_lock();

// Every CPU's life once it is up (the boot CPU after Ready): find a vCPU,
// run it, repeat; sleep in WFI when there is none.
[[noreturn]] void sched_cpu_loop();

// Makes physical CPU `cpu` leave the guest or wake from WFI.
void sched_kick(unsigned cpu);

// Something changed for vCPU `vcpu` of `vm` (an interrupt, a power-on, the
// end of its VM): its CPU is kicked if it is loaded; if it waits in WFI
// and now has an interrupt to take (or `force`), it becomes runnable and an
// idle CPU is kicked to take it.
void sched_wake(Vm& vm, unsigned vcpu, bool force = false);

// The VM whose vCPU this CPU runs, and that vCPU's number (nullptr, 0 when
// it runs none).
Vm* sched_current_vm();
unsigned sched_current_vcpu();

// Handles every physical interrupt pending at this CPU (channel UART,
// timers, kicks). Lock held.
void sched_handle_physical_irqs();

// WFI of the guest on this CPU (lock held): returns once an interrupt is
// deliverable to the vCPU, or the vCPU/VM must stop, or another vCPU waits
// for this CPU (then the vCPU is marked blocked and leaves the CPU).
ExitAction sched_block_on_wfi(Vm& vm);

// The loaded vCPU's deadlines changed (its physical timer, its VM's
// watchdog, its guest time offset): reprogram this CPU's EL2 timer.
void sched_timer_changed();

// Called by the run loop before each entry: true when the vCPU's time slice
// is over and another vCPU should have this CPU.
bool sched_should_yield(Vm& vm, Vcpu& v);

// A WFE of the loaded vCPU of `vm` (WFE-as-idle): when a vCPU waits for a
// CPU and no idle one will take it, this vCPU leaves its CPU before it
// enters the guest again and lets others go first (counted in
// TrapStats::wfe_yields). The WFE itself completes.
ExitAction sched_yield_on_wfe(Vm& vm);

// S13, for vCPU code paths: asks that `v` continue on physical CPU `cpu`.
// It leaves its CPU before its next entry into the guest (not inside its
// exit handler, and not while a NoPreempt section is open), and only `cpu`
// picks it up.
void vcpu_migrate(Vcpu& v, unsigned cpu);

// Accounting and per-CPU bookkeeping around a vCPU's stay on this CPU
// (vm/vcpu_run.cpp does the state switch itself).
void sched_on_load(Vm& vm, Vcpu& v);
void sched_on_put(Vm& vm, Vcpu& v);

// Counter ticks of one time slice (10 ms).
uint64_t sched_slice_ticks();

}  // namespace nestlab
