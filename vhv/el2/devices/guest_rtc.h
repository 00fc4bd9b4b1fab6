// The lowvisor's side of a guest's PL031 (vhv/common/pl031.h): the clock it
// counts, its match alarm and its interrupt line.
//
// The clock is the host's wall-clock time at VM start moved by the VM's
// guest time (CNTVCT = CNTPCT - CNTVOFF, timer/guest_time.h), not by the
// host's: a VM that stands still (the VHV paused, the policy None) finds
// its RTC where it left it, and the guest sees the RTC tick exactly with
// its own counter (kvm-unit-tests pl031 waits 2 s of CNTVCT and expects
// RTCDR 2 higher). The match alarm is a deadline in guest time that the
// scheduler puts on the EL2 physical timer (sched/sched.cpp), so it comes
// while every vCPU sits in WFI. Called with sched_lock() held.
#pragma once

#include <cstdint>

#include "vhv/common/pl031.h"

namespace nestlab {

class Vm;

class GuestRtc final : public RtcBackend {
 public:
  void set_owner(Vm* vm) { m_owner = vm; }  // whose time, vGIC and PL031
  // At VM start, once its guest time base is set: the clock shows
  // `wall_ns` now.
  void start(uint64_t wall_ns);

  uint64_t now_ns() override;
  void set_alarm(uint64_t at_ns) override;
  // RTCINTR, wired to the guest's virtual GIC as the line the PL031's
  // descriptor names (SPI 2, INTID 34), level-sensitive.
  void set_irq_level(bool high) override;

  // For the scheduler: the host count at which the alarm is due, 0 if none.
  uint64_t host_deadline() const;
  // The EL2 timer fired at host count `host_now`: a due alarm reaches the
  // PL031.
  void check(uint64_t host_now);

 private:
  uint64_t guest_now() const;

  Vm* m_owner = nullptr;      // Not owned.
  uint64_t m_wall_base = 0;   // the clock shows m_wall_base + ns(guest time - m_guest_base)
  uint64_t m_guest_base = 0;  // guest count at start()
  uint64_t m_alarm = 0;       // guest count at which the alarm is due, 0: none
};

}  // namespace nestlab
