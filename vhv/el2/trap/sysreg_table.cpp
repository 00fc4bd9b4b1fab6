#include "vhv/el2/trap/sysreg_table.h"

namespace nestlab {
namespace {

struct Entry {
  uint32_t key;
  SysregHandler handler;
};

// GICv3 system registers (IHI 0069 12.2): with HCR_EL2.IMO set, EL1 writes
// of the SGI generation registers trap to EL2 (12.1.3); the lowvisor turns
// them into virtual SGIs.
constexpr Entry kTable[] = {
    {sysreg_key(3, 0, 12, 11, 5), vgic_sgi_write},  // ICC_SGI1R_EL1
    {sysreg_key(3, 0, 12, 11, 6), vgic_sgi_write},  // ICC_ASGI1R_EL1
    {sysreg_key(3, 0, 12, 11, 7), vgic_sgi_write},  // ICC_SGI0R_EL1
    // The EL1 physical counter and timer (S10, timer/phys_timer.h), trapped
    // by CNTHCTL_EL2.EL1PCTEN/EL1PCEN = 0 (Arm ARM D17.2.25).
    {sysreg_key(3, 3, 14, 0, 1), phys_counter_access},  // CNTPCT_EL0
    {sysreg_key(3, 3, 14, 2, 0), phys_timer_access},    // CNTP_TVAL_EL0
    {sysreg_key(3, 3, 14, 2, 1), phys_timer_access},    // CNTP_CTL_EL0
    {sysreg_key(3, 3, 14, 2, 2), phys_timer_access},    // CNTP_CVAL_EL0
};

}  // namespace

SysregHandler find_sysreg_handler(const SysRegIss& s) {
  const uint32_t key = sysreg_key(s);
  for (const Entry& e : kTable)
    if (e.key == key) return e.handler;
  return nullptr;
}

}  // namespace nestlab
