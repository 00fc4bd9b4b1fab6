// Lab 06, a cheater (kept as a test: tests/integration/test_labs.py grades
// it and requires less than half of the points). It prints what the PL011
// would have answered, marks, and makes 60 dummy reads of the data register
// for the MMIO exit counter. The grader looks at which registers were read
// and written.
#include "lab.h"

extern "C" int lab_main(uint64_t) {
  lab::console_via_backdoor(true);
  uint32_t sink = 0;
  for (int i = 0; i < 60; ++i) sink += lab::mmio_read32(lab::uart());
  lab::printf("pl011 periphid 0x00141011 cellid 0xb105f00d\n");
  lab::mark("pl011");
  lab::printf("fr 0x90: transmit fifo empty, receive fifo empty\n");
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  lab::printf("loopback: %s\n", nonce);
  return static_cast<int>(sink & 0);
}
