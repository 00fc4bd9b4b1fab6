// The HVC handler (hypervisor lab 1): YOUR CODE. The lab's hypercall ABI
// (README.md): HVC #1 returns x0 + 1 in x0; HVC #0 with x0 = PSCI
// SYSTEM_OFF (0x8400_0008) powers off with exit code x1. Anything else
// should answer PSCI's NOT_SUPPORTED (-1) in x0.
#include "hyp.h"

namespace hyp {

ExitAction handle_hvc(Vcpu& vcpu) {
  // TODO: decode the immediate (hvc_immediate(vcpu.esr)) and act on it.
  // Think about where ELR_EL2 points after an HVC before you choose
  // between Advance and Resume.
  (void)vcpu;
  return ExitAction::Unhandled;
}

}  // namespace hyp
