// Prints numbered lines forever (for console output-cap tests).
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t) {
  for (unsigned long long n = 1;; ++n) guest::printf("chatty line %llu\n", n);
}
