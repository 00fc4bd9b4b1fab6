// The HVC handler (hypervisor lab 1, reference). The lab's hypercall ABI
// (README.md): HVC #1 returns x0 + 1 in x0; HVC #0 with x0 = PSCI
// SYSTEM_OFF (0x8400_0008) powers off with exit code x1. Anything else
// answers PSCI's NOT_SUPPORTED (-1) in x0.
#include "hyp.h"

namespace hyp {

namespace {
constexpr uint64_t kPsciSystemOff = 0x8400'0008;
constexpr uint64_t kNotSupported = ~0ull;  // PSCI NOT_SUPPORTED, -1
}  // namespace

ExitAction handle_hvc(Vcpu& vcpu) {
  // ELR_EL2 already points after the HVC (Arm ARM D1.10.1, "preferred
  // return address"), so every outcome is Resume, never Advance.
  switch (hvc_immediate(vcpu.esr)) {
    case 1: vcpu.x[0] += 1; return ExitAction::Resume;
    case 0:
      if (vcpu.x[0] == kPsciSystemOff) return ExitAction::PowerOff;
      break;
  }
  vcpu.x[0] = kNotSupported;
  return ExitAction::Resume;
}

}  // namespace hyp
