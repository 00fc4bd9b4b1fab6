// The measured loop shared by hvc-loop (guest of a VHV) and hvc-bare (plain
// QEMU with its own tiny EL2): N round trips of `hvc #0` asking PSCI_VERSION,
// timed with the virtual counter, reported as one line.
#pragma once

#include <cstdint>

#include "tests/guests/lib/guest.h"

namespace bench {

inline constexpr uint64_t kIterations = 200000;

inline uint64_t counter() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
  return v;
}

inline void measure_hvc(const char* name) {
  uint64_t freq;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
  const uint64_t start = counter();
  for (uint64_t i = 0; i < kIterations; ++i) {
    register uint64_t x0 asm("x0") = guest::kPsciVersion;
    asm volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
  }
  const uint64_t ticks = counter() - start;
  // Tenths of a nanosecond per iteration; fits in 64 bits for any sane run.
  const uint64_t tenths = ticks * 10'000'000'000ull / freq / kIterations;
  guest::printf("%s: iterations=%llu ns_per_iter=%llu.%llu\n", name,
                static_cast<unsigned long long>(kIterations),
                static_cast<unsigned long long>(tenths / 10),
                static_cast<unsigned long long>(tenths % 10));
}

}  // namespace bench
