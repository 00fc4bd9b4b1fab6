// Lab 05, a cheater (kept as a test: tests/integration/test_labs.py grades
// it and requires less than half of the points). No timer, no interrupt
// controller, no WFI: it prints the line a 100 Hz tick would have given,
// marks, and exits 0. The grader counts the WFI traps and how long they
// span on the lowvisor's clock.
#include "lab.h"

extern "C" int lab_main(uint64_t) {
  lab::printf("ticks: 20 in 200 ms, 20 wake-ups\n");
  lab::mark("timer");
  return 0;
}
