#include "console/lab/platform.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace nestlab::lab {

uint64_t random_below(uint64_t n) {
  // Rejection sampling: a plain modulo would favour small values.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t v = 0;
    ssize_t got = ::getrandom(&v, sizeof v, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got != static_cast<ssize_t>(sizeof v))
      throw std::runtime_error("getrandom failed: no random source for the lab's platform");
    if (v < limit) return v % n;
  }
}

RunPlatform choose_platform(const LabDefinition& lab) {
  RunPlatform p;
  p.mem = lab.mem;
  if (lab.mem_max != 0) {
    // Never the lab's nominal size (lab.toml's `mem`, what a local run
    // shows): a program that prints that instead of reading the tree must
    // not pass by luck.
    constexpr uint64_t k2M = 2ull << 20;
    const uint64_t choices = (lab.mem_max - lab.mem_min) / k2M + 1;
    const bool nominal_inside = lab.mem >= lab.mem_min && lab.mem <= lab.mem_max &&
                                (lab.mem - lab.mem_min) % k2M == 0 && choices > 1;
    p.mem = lab.mem_min + random_below(nominal_inside ? choices - 1 : choices) * k2M;
    if (nominal_inside && p.mem >= lab.mem) p.mem += k2M;
  }
  if (lab.random_pl011) p.pl011 = kPl011Low + random_below((kPl011High - kPl011Low) >> 12) * 0x1000;
  return p;
}

Placeholders run_placeholders(const RunPlatform& platform) {
  char pl011[24], mem[24];
  std::snprintf(pl011, sizeof pl011, "%llx",
                static_cast<unsigned long long>(platform.pl011 ? platform.pl011 : 0x0900'0000));
  std::snprintf(mem, sizeof mem, "%llu", static_cast<unsigned long long>(platform.mem >> 20));
  return Placeholders{fresh_hex(16), pl011, mem, ""};
}

}  // namespace nestlab::lab
