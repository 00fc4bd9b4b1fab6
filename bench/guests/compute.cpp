// A CPU-bound guest for bench/compute.py: `rounds=N` rounds of integer
// work (xorshift, multiply-accumulate, a small table in RAM) with no exits
// to the hypervisor, timed with the virtual counter. Prints "compute_ms=T
// checksum=C".
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t dtb) {
  const uint64_t rounds = guest::bootarg_number(guest::bootargs(dtb), "rounds", 40);
  uint64_t hz;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
  uint64_t t0;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t0));
  uint64_t table[256];
  for (unsigned i = 0; i < 256; ++i) table[i] = i * 0x9e3779b97f4a7c15ull;
  uint64_t x = 88172645463325252ull, acc = 0;
  for (uint64_t r = 0; r < rounds; ++r) {
    for (unsigned i = 0; i < 1'000'000; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      acc += (x * 31) ^ table[x & 255];
      table[(x >> 8) & 255] += acc;
    }
  }
  uint64_t t1;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t1));
  guest::printf("compute_ms=%llu checksum=%llx\n",
                static_cast<unsigned long long>((t1 - t0) * 1000 / hz),
                static_cast<unsigned long long>(acc));
  return 0;
}
