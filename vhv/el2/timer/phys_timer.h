// S10 guest time, physical side: the guest's EL1 physical counter and timer
// (CNTPCT_EL0, CNTP_CTL/CVAL/TVAL_EL0) are trapped (CNTHCTL_EL2.EL1PCTEN and
// EL1PCEN clear, Arm ARM D17.2.25) and emulated on the VM's time base: the
// guest's physical count is the host count minus the VM's offset, the same
// time its virtual counter shows (CNTVOFF_EL2), so both move only as the
// VM's time moves. An armed guest timer is one of the deadlines the
// scheduler puts on the EL2 physical timer (CNTHP_*, PPI 26, sched/); its
// expiry raises the guest's PPI 30 in the vGIC.
#pragma once

#include <cstdint>

namespace nestlab {

class Vm;
struct Vcpu;

// One vCPU's emulated EL1 physical timer (kept in its Vcpu).
struct PhysTimer {
  uint64_t ctl = 0;   // ENABLE, IMASK as the guest wrote them
  uint64_t cval = 0;  // guest time
  // Its deadline passed and PPI 30 was raised: no more EL2 timer for it
  // until the guest reprograms it.
  bool fired = false;
};

// CNTHCTL_EL2 value for a guest: virtual counter/timer direct, physical ones
// trapped.
inline constexpr uint64_t kCnthctlTrapPhysical = 0;

// `v` starts (on this CPU) with its physical timer off.
void phys_timer_reset(Vcpu& v);
// The EL2 physical timer fired on this CPU (PPI 26) while vCPU `vcpu` of
// `vm` is loaded: raise the guest's PPI 30 if its timer condition holds.
// Lock held.
void phys_timer_check(Vm& vm, unsigned vcpu);
// Before entering the guest: PPI 30 pending exactly while the guest's timer
// condition holds (enabled, not masked, deadline passed): a level.
void phys_timer_sync(Vm& vm, unsigned vcpu);

}  // namespace nestlab
