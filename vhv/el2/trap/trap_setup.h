// Trap configuration the run loop applies (vm/vm.cpp): the debug traps on
// the physical CPU that runs a vCPU, and the per-boot state of the trap
// mechanisms when an image is (re)loaded.
#pragma once

namespace nestlab {

// MDCR_EL2 (Arm ARM D17.2.83): TDE routes the guest's debug exceptions (BRK:
// the backdoor) to EL2 and makes debug register accesses trap (TDA, TDOSA,
// TDRA behave as 1), TDCC traps the DCC registers (MDCCSR_EL0: the DCC
// channel). HPMN is kept as reset, so the guest still sees every PMU counter.
void configure_debug_traps();

// A (re)loaded image starts with no page executable (S15), no WFE site
// patched (S14) and the watchdog disarmed.
void trap_on_image_load();

}  // namespace nestlab
