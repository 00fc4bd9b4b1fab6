// The lowvisor's vCPU scheduling policy (issue 13), weighted fair sharing in
// the manner of Linux CFS: every vCPU has a virtual run time that grows by
// its real run time divided by its VM's weight, and a physical CPU that
// looks for work takes the runnable vCPU with the smallest one. So two
// compute-bound VMs of weights 1 and 3 on one CPU get 1/4 and 3/4 of it.
// A vCPU that slept is placed no earlier than one slice before the least
// virtual time of the others, so a long sleep is no credit to burn later.
// Header-only pure logic (counter ticks in, decisions out), used by
// vhv/el2/sched/ and tested on the host (vcpu_sched_test.cpp).
#pragma once

#include <cstdint>

namespace nestlab::vcpu_sched {

inline constexpr uint32_t kDefaultWeight = 1;
inline constexpr uint32_t kMaxWeight = 10000;
// Virtual time is real time * kScale / weight: weight 1 gets the most
// virtual time per tick, so kScale keeps the division exact enough for
// weights up to kMaxWeight.
inline constexpr uint64_t kScale = 1u << 16;

constexpr uint32_t clamp_weight(uint32_t w) {
  return w == 0 ? kDefaultWeight : (w > kMaxWeight ? kMaxWeight : w);
}

// The virtual time `ticks` of real run time is worth at `weight`.
constexpr uint64_t virtual_delta(uint64_t ticks, uint32_t weight) {
  const uint64_t w = clamp_weight(weight);
  // ticks < 2^47 (a month at 62.5 MHz) keeps ticks * kScale in range.
  if (ticks > (1ull << 47)) ticks = 1ull << 47;
  return ticks * kScale / w;
}

// Where a vCPU that becomes runnable again starts: not behind
// `min_vruntime - slice_virtual` (no banked credit from sleeping).
constexpr uint64_t placed_on_wakeup(uint64_t own, uint64_t min_vruntime, uint64_t slice_virtual) {
  const uint64_t floor = min_vruntime > slice_virtual ? min_vruntime - slice_virtual : 0;
  return own < floor ? floor : own;
}

// One candidate for a CPU: whether it could run now, and its virtual time.
struct Candidate {
  bool runnable;
  uint64_t vruntime;
};

// The index of the runnable candidate with the least virtual time (the
// first of equals, so the order the caller offers is a stable tie-break);
// -1 when none is runnable.
inline int pick(const Candidate* c, unsigned n) {
  int best = -1;
  for (unsigned i = 0; i < n; ++i) {
    if (!c[i].runnable) continue;
    if (best < 0 || c[i].vruntime < c[unsigned(best)].vruntime) best = int(i);
  }
  return best;
}

// At the end of a slice: should the running vCPU (virtual time `running`)
// give its CPU to the best waiting one (`waiting`, -1 none)? Only when the
// waiting one is behind by more than `granularity` of virtual time, so two
// equal vCPUs do not swap on every tick.
constexpr bool should_preempt(uint64_t running, bool any_waiting, uint64_t waiting,
                              uint64_t granularity) {
  return any_waiting && waiting + granularity < running + 1;
}

// The S14 watchdog's deadline as an EL2 physical timer value: the guest
// virtual count `deadline` plus the VM's counter offset, saturating.
constexpr uint64_t host_deadline(uint64_t guest_deadline, uint64_t cntvoff) {
  return guest_deadline > ~0ull - cntvoff ? ~0ull : guest_deadline + cntvoff;
}

// The earliest of two timer deadlines where 0 means "none".
constexpr uint64_t earliest(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return a < b ? a : b;
}

}  // namespace nestlab::vcpu_sched
