// Baseline for hvc-loop on plain `qemu-system-aarch64 -M
// virt,virtualization=on`: our own minimal EL2 (hvc_bare_start.S) answers
// every HVC with x0 = 0x10000 and ERET, so the figure is the bare trap cost.
// QEMU's PSCI conduit is SMC in that machine, so power-off uses SMC.
#include "bench/guests/hvc_measure.h"

extern "C" [[noreturn]] void bare_system_off() {
  register uint64_t x0 asm("x0") = guest::kPsciSystemOff;
  register uint64_t x1 asm("x1") = 0;
  asm volatile("smc #0" : "+r"(x0), "+r"(x1)::"memory");
  for (;;) asm volatile("wfi");
}

extern "C" int guest_main(uint64_t) {
  bench::measure_hvc("hvc-bare");
  bare_system_off();
}
