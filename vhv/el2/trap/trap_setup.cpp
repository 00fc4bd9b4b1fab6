#include "vhv/el2/trap/trap_setup.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/interrupt_security.h"
#include "vhv/el2/trap/self_hosted_debug.h"
#include "vhv/el2/trap/wfe_patch.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
void configure_debug_traps(unsigned cpu) { debug_reset_this_cpu(cpu); }

bool trap_on_image_load(Vm& vm) {
  vm.wfe_patcher().reset();
  vm.watchdog() = Watchdog{};
  vm.secret_region() = SecretRegion{};
  return vm.stage2().reset_permissions().is_ok();
}

}  // namespace nestlab
