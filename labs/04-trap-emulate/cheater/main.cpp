// Lab 04, a cheater (kept as a test: tests/integration/test_labs.py grades
// it and requires less than half of the points). It prints the lines with
// made-up timings, sets lab.dcc itself through the BRK backdoor, marks,
// and makes 260 trapped system register reads for the SYS64 counter: plain
// MDCCSR_EL0 reads, the cheapest there is. The grader looks at which
// register each trap was for, and which DCC requests the lowvisor served.
#include "lab.h"

extern "C" int lab_main(uint64_t) {
  lab::console_via_backdoor(true);
  for (int i = 0; i < 260; ++i) {
    register uint64_t x9 asm("x9") = 0;  // no magic: just the status register
    asm volatile("mrs x9, mdccsr_el0" : "+r"(x9));
  }
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  lab::printf("mdccsr without magic: 0x0\n");
  lab::printf("dcc: version 1, services 0..8\n");
  lab::printf("dcc echo: %s\n", nonce);
  (void)lab::guestinfo_set("lab.dcc", nonce);
  lab::printf("dcc guestinfo set: 0\n");
  lab::printf("256 reads: cntvct 10 ns each, cntpct 900 ns each\n");
  lab::mark("trapped");
  return 0;
}
