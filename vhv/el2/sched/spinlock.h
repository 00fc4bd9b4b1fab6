// A ticket spinlock for the lowvisor's CPUs (exclusive load/store on
// Normal cacheable memory, Arm ARM B2.9). WFE/SEV keep waiters quiet.
#pragma once

#include <cstdint>

namespace nestlab {

class Spinlock {
 public:
  void lock() {
    const uint32_t me = __atomic_fetch_add(&m_next, 1u, __ATOMIC_RELAXED);
    while (__atomic_load_n(&m_owner, __ATOMIC_ACQUIRE) != me) asm volatile("wfe");
  }
  void unlock() {
    __atomic_store_n(&m_owner, m_owner + 1, __ATOMIC_RELEASE);
    asm volatile("dsb ishst\n\tsev" ::: "memory");
  }
  bool held() const {
    return __atomic_load_n(&m_owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&m_next, __ATOMIC_RELAXED);
  }

 private:
  uint32_t m_next = 0;
  uint32_t m_owner = 0;
};

}  // namespace nestlab
