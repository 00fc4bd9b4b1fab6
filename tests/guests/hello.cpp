// The first guest: greets, shows the bootargs it found in the device tree
// (proving x0 points at a valid tree), powers off with code 0.
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t dtb) {
  guest::puts("Hello from a nestlab guest!\n");
  guest::printf("bootargs: %s\n", guest::bootargs(dtb));
  return 0;
}
