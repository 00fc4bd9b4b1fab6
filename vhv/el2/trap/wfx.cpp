// WFI/WFE exits (EC 0x01, HCR_EL2.TWI). A WFI blocks the vCPU until an
// interrupt is deliverable to it (Arm ARM D1.16.2): sched/ puts the
// physical CPU to sleep meanwhile, so an idle guest costs no host CPU.
// WFE is not trapped (TWE clear: QEMU TCG would not trap it anyway); the
// lowvisor reaches a guest's WFEs through its patched sites instead
// (wfe_patch.h), where a plain WFE is the scheduler's yield hint
// (sched_yield_on_wfe). A WFE that does arrive here completes at once,
// which the architecture allows.
#include "vhv/common/esr.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/trap/dispatch.h"

namespace nestlab {

ExitAction handle_wfx(Vm& vm, const ExitInfo& exit) {
  if (WfxIss(exit.iss).ti == WfxKind::Wfi) return sched_block_on_wfi(vm);
  return ExitAction::Advance;
}

}  // namespace nestlab
