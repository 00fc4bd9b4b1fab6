#include "hyp.h"

namespace hyp {

namespace {
constexpr uint64_t kPsciSystemOff = 0x8400'0008;  // PSCI 1.1 (DEN0022), SYSTEM_OFF
}

// nestlab takes the exit code from x1 at this SMC (docs/hypervisor.md).
void system_off(uint64_t exit_code) {
  register uint64_t x0 asm("x0") = kPsciSystemOff;
  register uint64_t x1 asm("x1") = exit_code;
  asm volatile("smc #0" : "+r"(x0), "+r"(x1) : : "memory");
  for (;;) asm volatile("wfi");
}

}  // namespace hyp
