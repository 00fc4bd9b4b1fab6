#include "vhv/el2/arch/sysreg.h"

namespace nestlab::arch {

void clean_dcache_range(uint64_t start, uint64_t size) {
  // CTR_EL0.DminLine: log2 of words in the smallest data cache line.
  const uint64_t line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
  for (uint64_t a = start & ~(line - 1); a < start + size; a += line)
    asm volatile("dc cvac, %0" ::"r"(a) : "memory");
  dsb_sy();
}

void invalidate_icache_all() {
  asm volatile("ic iallu" ::: "memory");
  dsb_sy();
  isb();
}

}  // namespace nestlab::arch
