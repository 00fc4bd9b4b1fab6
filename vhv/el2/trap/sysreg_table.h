// Trapped system register accesses (EC 0x18) keyed by their encoding
// (op0, op1, CRn, CRm, op2 from the ISS, Arm ARM D17.2.37): one table, each
// entry owned by the subsystem that emulates the register. handle_sys64
// (trap/sys64.cpp) consults it before its own debug-register rules.
#pragma once

#include "vhv/common/esr.h"
#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;

using SysregHandler = ExitAction (*)(Vm& vm, const ExitInfo& exit, const SysRegIss& s);

constexpr uint32_t sysreg_key(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                              unsigned op2) {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
constexpr uint32_t sysreg_key(const SysRegIss& s) {
  return sysreg_key(s.op0, s.op1, s.crn, s.crm, s.op2);
}

// The handler for this register, or nullptr.
SysregHandler find_sysreg_handler(const SysRegIss& s);

// Emulators (vgic/, timer/).
ExitAction vgic_sgi_write(Vm& vm, const ExitInfo& exit, const SysRegIss& s);
ExitAction phys_counter_access(Vm& vm, const ExitInfo& exit, const SysRegIss& s);
ExitAction phys_timer_access(Vm& vm, const ExitInfo& exit, const SysRegIss& s);

}  // namespace nestlab
