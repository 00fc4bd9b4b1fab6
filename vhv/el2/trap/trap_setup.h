// Trap configuration the run loop applies (vm/vm.cpp): the debug traps on
// the physical CPU that runs a vCPU, and the per-boot state of the trap
// mechanisms when an image is (re)loaded.
#pragma once

namespace nestlab {

class Vm;

// MDCR_EL2 (Arm ARM D17.2.83) for a vCPU that starts on `cpu`: TDA traps
// the debug registers (MDCCSR_EL0: the DCC channel; MDSCR_EL1: the guest
// switching its own debugging on or off), TDE routes the guest's BRKs to
// EL2 (the backdoor) while the guest does not debug itself
// (self_hosted_debug.h). HPMN is kept as reset, so the guest still sees
// every PMU counter. The debug registers start as after a reset.
void configure_debug_traps(unsigned cpu);

// A (re)loaded image starts with no page executable (S15), no WFE site
// patched (S14) and the watchdog disarmed. False when stage 2 could not be
// rebuilt.
bool trap_on_image_load(Vm& vm);

}  // namespace nestlab
