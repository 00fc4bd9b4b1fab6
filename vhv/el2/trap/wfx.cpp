// WFI/WFE exits (EC 0x01, HCR_EL2.TWI). A WFI blocks the vCPU until an
// interrupt is deliverable to it (Arm ARM D1.16.2): sched/ puts the
// physical CPU to sleep meanwhile, so an idle guest costs no host CPU.
// WFE is not trapped (TWE clear) unless another mechanism asks for it; a
// trapped WFE completes at once, which the architecture allows.
#include "vhv/common/esr.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/trap/dispatch.h"

namespace nestlab {

ExitAction handle_wfx(Vm& vm, const ExitInfo& exit) {
  if (WfxIss(exit.iss).ti == WfxKind::Wfi) return sched_block_on_wfi(vm);
  return ExitAction::Advance;
}

}  // namespace nestlab
