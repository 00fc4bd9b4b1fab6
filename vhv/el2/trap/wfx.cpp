// WFI/WFE exits (EC 0x01, HCR_EL2.TWI). There are no virtual interrupts yet,
// so a WFI could wait for nothing: complete it at once (the architecture
// allows WFI to be a no-op, Arm ARM D1.16.2). Once the virtual GIC and timer
// exist, this is where the vCPU will block until one is pending.
#include "vhv/el2/trap/dispatch.h"

namespace nestlab {

ExitAction handle_wfx(Vm& /*vm*/, const ExitInfo& /*exit*/) { return ExitAction::Advance; }

}  // namespace nestlab
