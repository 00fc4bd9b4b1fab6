// The guest behind `nestlab demo`: a banner with its bootargs, some visible
// computation, a few hypercalls (so the exit counters show HVC64), power-off.
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t dtb) {
  const char* args = guest::bootargs(dtb);
  guest::printf("demo-guest%s%s: computing primes\n", *args ? " " : "", args);
  unsigned found = 0;
  unsigned line[10];
  unsigned in_line = 0;
  for (unsigned n = 2; found < 20; ++n) {
    bool prime = true;
    for (unsigned d = 2; d * d <= n; ++d)
      if (n % d == 0) prime = false;
    if (!prime) continue;
    line[in_line++] = n;
    ++found;
    if (in_line == 10) {
      guest::puts("  primes:");
      for (unsigned i = 0; i < in_line; ++i) guest::printf(" %u", line[i]);
      guest::puts("\n");
      in_line = 0;
    }
  }
  for (int i = 0; i < 3; ++i) {
    const uint64_t v = guest::psci_call(guest::kPsciVersion);
    // Only the major version: plain QEMU 7.2 says 1.1, a VHV 1.0.
    guest::printf("  hypercall %d: PSCI major version %llu\n", i + 1,
                  static_cast<unsigned long long>(v >> 16));
  }
  guest::puts("demo-guest: done, powering off\n");
  return 0;
}
