// Lab 03, a cheater (kept as a test: tests/integration/test_labs.py grades
// it and requires less than half of the points). It prints what a PSCI and
// backdoor session would print, with made-up values where it would have to
// ask, sets the answer itself, makes the six PSCI calls the counter wants
// (all PSCI_VERSION), marks, and exits 0. The grader compares the UUID with
// this VM's and counts the backdoor requests the lowvisor served.
#include "lab.h"

extern "C" int lab_main(uint64_t) {
  for (int i = 0; i < 5; ++i) (void)lab::psci_version();  // SYSTEM_OFF is the sixth
  lab::printf("psci version 1.0\n");
  lab::printf("psci features: SYSTEM_OFF 0 CPU_ON 0 SYSTEM_RESET 0 MEM_PROTECT -1\n");
  lab::printf("backdoor version 1, services 0..8\n");
  lab::printf("host time: 2026-01-01 00:00:00 UTC\n");
  lab::printf("vm uuid: 01234567-89ab-4def-8123-456789abcdef\n");
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  lab::printf("printed by the lowvisor: %s\n", nonce);
  char answer[64];
  lab::snprintf(answer, sizeof(answer), "psci1.0-bd1-%s", nonce);
  (void)lab::guestinfo_set("lab.answer", answer);
  lab::printf("lab.answer = %s\n", answer);
  lab::mark("services");
  return 0;
}
