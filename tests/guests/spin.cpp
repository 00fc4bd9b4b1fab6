// Prints one line and spins forever (for Ctrl-C and timeout tests).
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t) {
  guest::puts("spinning\n");
  for (;;) asm volatile("" ::: "memory");
}
