// SMC from the guest (EC 0x17, HCR_EL2.TSC). The guest platform has no EL3
// firmware and PSCI goes over HVC, so an SMC is UNDEFINED at EL1, exactly
// what plain QEMU gives a guest whose PSCI conduit is HVC (Arm ARM D1.12.4).
#include "vhv/common/exception_inject.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/inject.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

ExitAction handle_smc64(Vm& vm, const ExitInfo& exit) {
  // A trapped SMC's preferred return address is the SMC itself, which is
  // also where an UNDEFINED exception returns to.
  uint64_t vbar = 0;
  if (inject_sync_exception(vm, undefined_esr(), 0, exit.pc, &vbar) == InjectResult::Delivered)
    return ExitAction::Resume;
  vm.stop(channel::VmExitReason::Fault, 0, &exit,
          "guest executed SMC (SMC64) at pc 0x%llx, which is UNDEFINED here (PSCI uses HVC); "
          "VBAR_EL1 is 0x%llx, so "
          "there is no vector to deliver the exception to",
          static_cast<unsigned long long>(exit.pc), static_cast<unsigned long long>(vbar));
  return ExitAction::Stop;
}

}  // namespace nestlab
