#include "vhv/el2/trap/trap_setup.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/stage2/stage2.h"
#include "vhv/el2/trap/interrupt_security.h"
#include "vhv/el2/trap/wfe_patch.h"

namespace nestlab {
namespace {
constexpr uint64_t kMdcrTde = 1ull << 8, kMdcrTda = 1ull << 9, kMdcrTdcc = 1ull << 27;
constexpr uint64_t kMdcrHpmnMask = 0x1f;
}  // namespace

void configure_debug_traps() {
  const uint64_t hpmn = read_sysreg(mdcr_el2) & kMdcrHpmnMask;
  write_sysreg(mdcr_el2, hpmn | kMdcrTde | kMdcrTda | kMdcrTdcc);
  arch::isb();
}

void trap_on_image_load() {
  Stage2::reset_permissions();
  WfePatcher::reset();
  watchdog_reset();
  isec_reset();
}

}  // namespace nestlab
