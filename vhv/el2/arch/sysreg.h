// System register access and barriers for the lowvisor (EL2).
#pragma once

#include <cstdint>

// NOLINTBEGIN(cppcoreguidelines-macro-usage)
#define read_sysreg(reg)                                \
  ({                                                    \
    uint64_t _v;                                        \
    asm volatile("mrs %0, " #reg : "=r"(_v)::"memory"); \
    _v;                                                 \
  })
#define write_sysreg(reg, value) \
  asm volatile("msr " #reg ", %0" ::"r"(static_cast<uint64_t>(value)) : "memory")
// NOLINTEND(cppcoreguidelines-macro-usage)

namespace nestlab::arch {

inline void isb() { asm volatile("isb" ::: "memory"); }
inline void dsb_sy() { asm volatile("dsb sy" ::: "memory"); }
inline void dsb_ish() { asm volatile("dsb ish" ::: "memory"); }
inline void dmb_ishst() { asm volatile("dmb ishst" ::: "memory"); }
inline void wfi() { asm volatile("wfi" ::: "memory"); }

template <typename T>
inline T mmio_read(uint64_t addr) {
  return *reinterpret_cast<volatile T*>(addr);
}
template <typename T>
inline void mmio_write(uint64_t addr, T value) {
  *reinterpret_cast<volatile T*>(addr) = value;
}

// Makes freshly written instructions/data visible to a guest that runs with
// its MMU and caches off: clean to the point of coherency, then invalidate
// the instruction cache (Arm ARM D7.5.9, "Ordering and completion of data
// and instruction cache maintenance").
void clean_dcache_range(uint64_t start, uint64_t size);
void invalidate_icache_all();

}  // namespace nestlab::arch
