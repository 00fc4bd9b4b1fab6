// Lab 07, a cheater (kept as a test: tests/integration/test_labs.py grades
// it and requires less than half of the points). It prints the line three
// seconds of work would have given and exits at once: the CPU share is the
// lowvisor's accounting of run time, which printing cannot make.
#include "lab.h"

extern "C" int lab_main(uint64_t) {
  lab::printf("work: 1000 units in 3000 ms\n");
  return 0;
}
