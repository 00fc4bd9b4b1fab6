// S13: where a lowvisor context that moves between CPUs waits for its new
// CPU. One FIFO per CPU, intrusive (an item carries its own `next`), so the
// freestanding lowvisor needs no allocation. Not thread-safe by itself: the
// lowvisor uses it under sched_lock(). Header-only pure logic, tested on
// the host (run_queue_test.cpp).
#pragma once

#include <cstdint>

namespace nestlab {

// What a context does at a preemption point: keep running here, move to
// the CPU it was asked to move to, or hold the move back until it leaves
// its non-preemptible section (the seed's second embodiment).
enum class PreemptDecision { Continue, Migrate, Defer };

inline constexpr int kNoCpu = -1;

inline PreemptDecision decide_at_preempt_point(int migrate_to, unsigned this_cpu,
                                               uint64_t preempt_off) {
  if (migrate_to == kNoCpu || static_cast<unsigned>(migrate_to) == this_cpu)
    return PreemptDecision::Continue;
  return preempt_off > 0 ? PreemptDecision::Defer : PreemptDecision::Migrate;
}

// Item needs a member `Item* next`.
template <typename Item, unsigned kCpus>
class RunQueues {
 public:
  // False for a CPU out of range or an item already queued somewhere.
  bool push(unsigned cpu, Item* item) {
    if (cpu >= kCpus || !item || item->next || contains(item)) return false;
    if (m_tail[cpu])
      m_tail[cpu]->next = item;
    else
      m_head[cpu] = item;
    m_tail[cpu] = item;
    return true;
  }
  Item* pop(unsigned cpu) {
    if (cpu >= kCpus || !m_head[cpu]) return nullptr;
    Item* item = m_head[cpu];
    m_head[cpu] = item->next;
    if (!m_head[cpu]) m_tail[cpu] = nullptr;
    item->next = nullptr;
    return item;
  }
  bool empty(unsigned cpu) const { return cpu >= kCpus || !m_head[cpu]; }

 private:
  bool contains(const Item* item) const {
    for (unsigned c = 0; c < kCpus; ++c)
      if (m_tail[c] == item) return true;
    return false;
  }
  Item* m_head[kCpus] = {};  // Not owned.
  Item* m_tail[kCpus] = {};  // Not owned.
};

}  // namespace nestlab
