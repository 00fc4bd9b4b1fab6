// A ticket spinlock for the lowvisor's CPUs (exclusive load/store on
// Normal cacheable memory, Arm ARM B2.9). WFE/SEV keep waiters quiet for a
// short while; a waiter that still waits then sleeps in WFI and the unlock
// kicks it with an SGI.
//
// Why sleep: under QEMU's TCG each lowvisor CPU is a host thread, and WFE
// is only a yield, so a spinning waiter keeps a host core busy. On a
// loaded host (2 cores, a VHV beside builds or other VHVs) the holder's
// thread may then wait for that core while the waiter spins: booting
// Linux on 2 vCPUs spent about as long waiting for this lock as running.
// A CPU in WFI is a halted host thread, whose core the holder gets.
#pragma once

#include <cstdint>

namespace nestlab {

class Spinlock {
 public:
  void lock() {
    const uint32_t me = __atomic_fetch_add(&m_next, 1u, __ATOMIC_RELAXED);
    for (unsigned spins = 0; __atomic_load_n(&m_owner, __ATOMIC_ACQUIRE) != me; ++spins) {
      if (spins < kSpins)
        asm volatile("wfe");
      else
        sleep_until_turn(me);
    }
  }
  void unlock() {
    __atomic_store_n(&m_owner, m_owner + 1, __ATOMIC_RELEASE);
    asm volatile("dsb ishst\n\tsev" ::: "memory");
    // Ordered after the store above (sequentially consistent with the
    // sleeper's announcement): either it sees its turn, or this sees it.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&m_sleepers, __ATOMIC_RELAXED)) wake_sleepers();
  }
  bool held() const {
    return __atomic_load_n(&m_owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&m_next, __ATOMIC_RELAXED);
  }

 private:
  // WFE rounds before a waiter sleeps: each is a trip through QEMU's main
  // loop, a microsecond or so; most exits are handled within this.
  static constexpr unsigned kSpins = 64;

  void sleep_until_turn(uint32_t me);  // spinlock.cpp
  void wake_sleepers();

  uint32_t m_next = 0;
  uint32_t m_owner = 0;
  uint32_t m_sleepers = 0;  // one bit per CPU asleep in sleep_until_turn
};

}  // namespace nestlab
