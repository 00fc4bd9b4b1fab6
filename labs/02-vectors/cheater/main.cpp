// Lab 02, a cheater (kept as a test: tests/integration/test_labs.py grades
// it and requires less than half of the points). No vectors, no BRK, no
// SVC: it prints what the handlers would have printed, calls both markers
// and returns 17. The grader counts the BRK #1 the lowvisor handed to the
// guest's vectors.
#include "lab.h"

extern "C" int lab_main(uint64_t) {
  lab::mark("vectors");
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  lab::printf("via brk: %s (16 characters)\n", nonce);
  lab::printf("via svc: hello\n");
  lab::mark("handled");
  return 17;
}
