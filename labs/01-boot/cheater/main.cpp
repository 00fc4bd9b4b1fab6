// Lab 01, a cheater (kept as a test: tests/integration/test_labs.py grades
// it and requires less than half of the points). It walks nothing: it marks
// QEMU virt's UART address, prints virt's usual 64 MiB, takes the nonce from
// the runtime's own bootargs lookup, and returns 7. The grader moves the
// UART and changes the RAM size on every run, and counts the characters
// that really reach the PL011 the tree describes.
#include "lab.h"

extern "C" int lab_main(uint64_t) {
  lab::console_via_backdoor(true);  // virt's UART is not there while grading
  lab::printf("uart: pl011 at 0x9000000\n");
  lab::mark("uart@9000000");
  lab::printf("memory: 64 MiB at 0x40000000\n");
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  lab::printf("nonce: %s\n", nonce);
  return 7;
}
