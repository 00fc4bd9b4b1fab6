#include "vhv/el2/devices/guest_rtc.h"

#include "vhv/common/vcpu_sched.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr uint64_t kNsPerS = 1'000'000'000;

uint64_t frequency() {
  const uint64_t f = read_sysreg(cntfrq_el0);
  return f ? f : 1;
}

uint64_t ticks_to_ns(uint64_t t) {
  const uint64_t f = frequency();
  return (t / f) * kNsPerS + (t % f) * kNsPerS / f;
}

// The fewest ticks that make at least `ns`: the alarm is never early.
uint64_t ns_to_ticks_up(uint64_t ns) {
  const uint64_t f = frequency();
  uint64_t t = (ns / kNsPerS) * f + (ns % kNsPerS) * f / kNsPerS;
  while (ticks_to_ns(t) < ns) ++t;
  return t;
}

}  // namespace

uint64_t GuestRtc::guest_now() const {
  arch::isb();
  return read_sysreg(cntpct_el0) - m_owner->cntvoff();
}

void GuestRtc::start(uint64_t wall_ns) {
  m_wall_base = wall_ns;
  m_guest_base = guest_now();
}

uint64_t GuestRtc::now_ns() { return m_wall_base + ticks_to_ns(guest_now() - m_guest_base); }

void GuestRtc::set_alarm(uint64_t at_ns) {
  uint64_t alarm = 0;
  if (at_ns != 0) {
    const uint64_t ahead = at_ns > m_wall_base ? at_ns - m_wall_base : 0;
    // The largest ns count (the PL031's "never") stays far in the future.
    const uint64_t ticks = ahead > ~0ull / 2 ? ~0ull / 2 : ns_to_ticks_up(ahead);
    alarm = m_guest_base + ticks;
    if (alarm == 0) alarm = 1;  // 0 means none
  }
  if (alarm == m_alarm) return;
  m_alarm = alarm;
  sched_timer_changed();
}

void GuestRtc::set_irq_level(bool high) {
  if (m_owner) vgic_set_level(*m_owner, 0, Pl031::kDescriptor.irq.intid(), high);
}

uint64_t GuestRtc::host_deadline() const {
  return m_alarm ? vcpu_sched::host_deadline(m_alarm, m_owner->cntvoff()) : 0;
}

void GuestRtc::check(uint64_t host_now) {
  if (m_alarm == 0 || host_now < host_deadline()) return;
  // The device asks again (set_alarm) if it has another match to wait for.
  m_alarm = 0;
  m_owner->devices().pl031().alarm_expired();
}

}  // namespace nestlab
