// BRK from the guest (EC 0x3C), routed to EL2 by MDCR_EL2.TDE (Arm ARM
// D2.4, "Routing debug exceptions") while the guest does not debug itself
// (self_hosted_debug.cpp; when it does, its BRKs go to its own vectors
// without an exit). Two kinds of BRK arrive here:
//  - BRK #0x5658, the backdoor (S4): serve the request, continue after it;
//  - any other immediate is the guest's own breakpoint: give it back as the
//    architectural debug exception at EL1 (ESR_EL1.EC 0x3C, ISS = imm16,
//    preferred return = the BRK, D1.10.4), exactly what the guest would have
//    taken without a hypervisor.
#include "vhv/common/backdoor.h"
#include "vhv/common/exception_inject.h"
#include "vhv/el2/trap/backdoor_services.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/inject.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

ExitAction handle_brk64(Vm& vm, const ExitInfo& exit) {
  const uint16_t imm = static_cast<uint16_t>(exit.iss & 0xffff);
  if (imm == backdoor::kBrkImmediate) {
    (void)serve_backdoor(vm, BackdoorPath::Brk);
    return ExitAction::Advance;  // ELR_EL2 holds the BRK itself
  }

  count(TraceWriter::stats().brk_reflected);
  uint64_t vbar = 0;
  const uint64_t esr = make_esr(ExceptionClass::BRK64, true, imm);
  if (inject_sync_exception(vm, esr, 0, exit.pc, &vbar) == InjectResult::Delivered)
    return ExitAction::Resume;
  vm.stop(channel::VmExitReason::Fault, 0, &exit,
          "guest executed BRK #0x%x at pc 0x%llx (a breakpoint of its own) and has no exception "
          "vector for it (VBAR_EL1 is 0x%llx)",
          unsigned(imm), static_cast<unsigned long long>(exit.pc),
          static_cast<unsigned long long>(vbar));
  return ExitAction::Stop;
}

}  // namespace nestlab
