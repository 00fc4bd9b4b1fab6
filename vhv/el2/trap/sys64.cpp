// Trapped MSR/MRS and system instructions (EC 0x18). The debug registers
// reach EL2 through MDCR_EL2.TDA (and, while it is set, TDE, which makes
// TDOSA and TDRA behave as set too, Arm ARM D17.3.5). Among them, a read of
// MDCCSR_EL0 with kDccMagic in x9 is a hypercall (S2, vhv/common/backdoor.h);
// any other MDCCSR_EL0 read sees an idle DCC (0: nothing to receive, room to
// send). The breakpoint, watchpoint, MDSCR and OS lock registers are the
// guest's own and are carried out on the real ones (self_hosted_debug.cpp);
// the rest of the debug space (the DCC data registers, OSDTR*, OSECCR)
// reads as zero and ignores writes. A register nobody emulates is
// UNDEFINED for the guest, like an unimplemented one on hardware.
#include "vhv/common/backdoor.h"
#include "vhv/common/exception_inject.h"
#include "vhv/el2/trap/backdoor_services.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/inject.h"
#include "vhv/el2/trap/self_hosted_debug.h"
#include "vhv/el2/trap/sysreg_table.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr bool is_mdccsr_el0(const SysRegIss& s) {
  return s.op0 == 2 && s.op1 == 3 && s.crn == 0 && s.crm == 1 && s.op2 == 0;
}
// op0 == 2 is the debug register space (D12.3.2): OSLAR, OSDLR, MDSCR,
// DBGB*/DBGW*, DBGDTR*, ... all trapped by TDA (and TDE/TDOSA).
constexpr bool is_debug_register(const SysRegIss& s) { return s.op0 == 2; }
static_assert(is_mdccsr_el0(SysRegIss((2u << 20) | (3u << 14) | (1u << 1) | (9u << 5) | 1)));

ExitAction dcc_status_read(Vm& vm, const SysRegIss& s) {
  VcpuContext& ctx = vm.ctx();
  if (ctx.x[backdoor::kDccMagicRegister] != backdoor::kDccMagic) {
    ctx.set_reg(s.rt, 0);
    return ExitAction::Advance;
  }
  const int64_t status = serve_backdoor(vm, BackdoorPath::Dcc);
  ctx.set_reg(s.rt, static_cast<uint64_t>(status));
  return ExitAction::Advance;
}

}  // namespace

ExitAction handle_sys64(Vm& vm, const ExitInfo& exit) {
  const SysRegIss s(exit.iss);
  if (SysregHandler h = find_sysreg_handler(s)) return h(vm, exit, s);  // trap/sysreg_table.cpp
  if (is_mdccsr_el0(s) && s.direction == SysRegDirection::Read) return dcc_status_read(vm, s);
  if (is_guest_debug_register(s)) return guest_debug_register_access(vm, exit, s);
  if (is_debug_register(s)) {
    count(TraceWriter::stats().sysreg_emulated);
    if (s.direction == SysRegDirection::Read) vm.ctx().set_reg(s.rt, 0);
    return ExitAction::Advance;
  }
  uint64_t vbar = 0;
  if (inject_sync_exception(vm, undefined_esr(), 0, exit.pc, &vbar) == InjectResult::Delivered)
    return ExitAction::Resume;
  vm.stop(channel::VmExitReason::Fault, 0, &exit,
          "guest accessed system register op0=%u op1=%u CRn=%u CRm=%u op2=%u at pc 0x%llx, which "
          "the lowvisor does not emulate, and has no exception vector (VBAR_EL1 0x%llx)",
          unsigned(s.op0), unsigned(s.op1), unsigned(s.crn), unsigned(s.crm), unsigned(s.op2),
          static_cast<unsigned long long>(exit.pc), static_cast<unsigned long long>(vbar));
  return ExitAction::Stop;
}

}  // namespace nestlab
