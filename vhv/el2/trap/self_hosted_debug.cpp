// Routing of the guest's debug exceptions. MDCR_EL2.TDE (Arm ARM D17.2.83)
// is what brings a guest BRK to EL2, and the BRK backdoor needs that. But
// TDE routes *every* debug exception of EL0 and EL1 to EL2, and with EL2 as
// the debug target they are enabled whatever MDSCR_EL1.KDE and PSTATE.D say
// (D2.5.1, "Enabling debug exceptions from the current Exception level").
// A guest's handler relies on PSTATE.D: it returns to a breakpointed
// instruction with D set and expects it not to fire again (kvm-unit-tests
// arm/debug.c does exactly that), and software step is defined by a state
// machine (D2.12) that EL2 cannot imitate while it owns the exceptions.
//
// So TDE follows the guest, per vCPU:
//  - set while the guest's MDSCR_EL1 has neither MDE (breakpoints and
//    watchpoints, D2.8/D2.9) nor SS (software step): then the only debug
//    exception it can take is a BRK, and TDE brings that to EL2 (the
//    backdoor; other BRKs are reflected, brk.cpp);
//  - clear while it has either: then every debug exception, BRKs included,
//    goes to the guest's own vectors exactly as on plain QEMU.
// TDA stays set in both, so each access to MDSCR_EL1 traps and the lowvisor
// sees every switch; the DCC channel (MDCCSR_EL0) keeps trapping too. The
// debug registers themselves are the guest's: the lowvisor uses none, and
// vCPU n always runs on CPU n (vm/vcpu.h), so trapped accesses are carried
// out on the real registers.
#include "vhv/el2/trap/self_hosted_debug.h"

#include "vhv/common/exception_inject.h"
#include "vhv/common/watchpoint.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/trap/inject.h"
#include "vhv/el2/trap/sysreg_table.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr uint64_t kMdcrTde = 1ull << 8, kMdcrTda = 1ull << 9, kMdcrTdcc = 1ull << 27;
constexpr uint64_t kMdcrHpmnMask = 0x1f;
constexpr uint64_t kMdscrSs = 1ull << 0, kMdscrKde = 1ull << 13, kMdscrMde = 1ull << 15;
constexpr uint64_t kPstateD = 1ull << 9;
// ISS of a watchpoint exception (Arm ARM D17.2.37): WnR, DFSC "debug exception".
constexpr uint32_t kIssWnr = 1u << 6, kDfscDebug = 0x22;
constexpr uint64_t kOslsrOslk = 1ull << 1;

// The OS lock as each CPU came out of reset, restored for every new vCPU so
// that a guest starts as it would on a freshly reset CPU (QEMU resets it
// locked). Per physical CPU, recorded once: hardware state, not VM state.
constexpr unsigned kCpus = kMaxCpus;
bool g_reset_lock_known[kCpus];
bool g_reset_locked[kCpus];

// ID_AA64DFR0_EL1.BRPs / WRPs (D17.2.59): the number implemented, minus one.
unsigned breakpoints() { return unsigned((read_sysreg(id_aa64dfr0_el1) >> 12) & 0xf) + 1; }
unsigned watchpoints() { return unsigned((read_sysreg(id_aa64dfr0_el1) >> 20) & 0xf) + 1; }

void apply_routing() {
  const uint64_t hpmn = read_sysreg(mdcr_el2) & kMdcrHpmnMask;
  const bool debugging = (read_sysreg(mdscr_el1) & (kMdscrMde | kMdscrSs)) != 0;
  write_sysreg(mdcr_el2, hpmn | kMdcrTda | kMdcrTdcc | (debugging ? 0 : kMdcrTde));
  arch::isb();
}

enum class Access : uint8_t { ReadWrite, ReadOnly, WriteOnly };

// NOLINTBEGIN(cppcoreguidelines-macro-usage): MSR/MRS name their register
// in the instruction, so each one needs its own case. (Each use ends in an
// empty statement, which keeps clang-format to one per line.)
#define NL_DEBUG_REG(key, reg, access)           \
  case key:                                      \
    if (!permitted(access, write)) return false; \
    if (write)                                   \
      write_sysreg(reg, *value);                 \
    else                                         \
      *value = read_sysreg(reg);                 \
    return true;
#define NL_BREAKPOINT(n)                       \
  case sysreg_key(2, 0, 0, n, 4):              \
  case sysreg_key(2, 0, 0, n, 5):              \
    if (n >= breakpoints()) return false;      \
    if (op2 == 4) {                            \
      if (write)                               \
        write_sysreg(dbgbvr##n##_el1, *value); \
      else                                     \
        *value = read_sysreg(dbgbvr##n##_el1); \
    } else {                                   \
      if (write)                               \
        write_sysreg(dbgbcr##n##_el1, *value); \
      else                                     \
        *value = read_sysreg(dbgbcr##n##_el1); \
    }                                          \
    return true;
#define NL_WATCHPOINT(n)                       \
  case sysreg_key(2, 0, 0, n, 6):              \
  case sysreg_key(2, 0, 0, n, 7):              \
    if (n >= watchpoints()) return false;      \
    if (op2 == 6) {                            \
      if (write)                               \
        write_sysreg(dbgwvr##n##_el1, *value); \
      else                                     \
        *value = read_sysreg(dbgwvr##n##_el1); \
    } else {                                   \
      if (write)                               \
        write_sysreg(dbgwcr##n##_el1, *value); \
      else                                     \
        *value = read_sysreg(dbgwcr##n##_el1); \
    }                                          \
    return true;

constexpr bool permitted(Access a, bool write) {
  return a == Access::ReadWrite || (a == Access::ReadOnly) != write;
}

// Carries out the access on the real register. False for a register this
// CPU does not implement (a breakpoint beyond BRPs) or a direction it
// does not allow: UNDEFINED, as on the hardware.
bool access_register(uint32_t key, bool write, uint64_t* value) {
  const unsigned op2 = key & 7;
  switch (key) {
    NL_DEBUG_REG(sysreg_key(2, 0, 0, 2, 2), mdscr_el1, Access::ReadWrite);
    NL_DEBUG_REG(sysreg_key(2, 0, 0, 2, 0), mdccint_el1, Access::ReadWrite);
    NL_DEBUG_REG(sysreg_key(2, 0, 1, 0, 0), mdrar_el1, Access::ReadOnly);
    NL_DEBUG_REG(sysreg_key(2, 0, 1, 0, 4), oslar_el1, Access::WriteOnly);
    NL_DEBUG_REG(sysreg_key(2, 0, 1, 1, 4), oslsr_el1, Access::ReadOnly);
    NL_DEBUG_REG(sysreg_key(2, 0, 1, 3, 4), osdlr_el1, Access::ReadWrite);
    NL_DEBUG_REG(sysreg_key(2, 0, 1, 4, 4), dbgprcr_el1, Access::ReadWrite);
    NL_DEBUG_REG(sysreg_key(2, 0, 7, 8, 6), dbgclaimset_el1, Access::ReadWrite);
    NL_DEBUG_REG(sysreg_key(2, 0, 7, 9, 6), dbgclaimclr_el1, Access::ReadWrite);
    NL_DEBUG_REG(sysreg_key(2, 0, 7, 14, 6), dbgauthstatus_el1, Access::ReadOnly);
    NL_BREAKPOINT(0);
    NL_BREAKPOINT(1);
    NL_BREAKPOINT(2);
    NL_BREAKPOINT(3);
    NL_BREAKPOINT(4);
    NL_BREAKPOINT(5);
    NL_BREAKPOINT(6);
    NL_BREAKPOINT(7);
    NL_BREAKPOINT(8);
    NL_BREAKPOINT(9);
    NL_BREAKPOINT(10);
    NL_BREAKPOINT(11);
    NL_BREAKPOINT(12);
    NL_BREAKPOINT(13);
    NL_BREAKPOINT(14);
    NL_BREAKPOINT(15);
    NL_WATCHPOINT(0);
    NL_WATCHPOINT(1);
    NL_WATCHPOINT(2);
    NL_WATCHPOINT(3);
    NL_WATCHPOINT(4);
    NL_WATCHPOINT(5);
    NL_WATCHPOINT(6);
    NL_WATCHPOINT(7);
    NL_WATCHPOINT(8);
    NL_WATCHPOINT(9);
    NL_WATCHPOINT(10);
    NL_WATCHPOINT(11);
    NL_WATCHPOINT(12);
    NL_WATCHPOINT(13);
    NL_WATCHPOINT(14);
    NL_WATCHPOINT(15);
    default: return false;
  }
}
#undef NL_WATCHPOINT
#undef NL_BREAKPOINT
#undef NL_DEBUG_REG
// NOLINTEND(cppcoreguidelines-macro-usage)

bool known_register(uint32_t key) {
  if ((key >> 14) != 2) return false;
  // The registers access_register lists, whatever the direction.
  switch (key) {
    case sysreg_key(2, 0, 0, 2, 2):
    case sysreg_key(2, 0, 0, 2, 0):
    case sysreg_key(2, 0, 1, 0, 0):
    case sysreg_key(2, 0, 1, 0, 4):
    case sysreg_key(2, 0, 1, 1, 4):
    case sysreg_key(2, 0, 1, 3, 4):
    case sysreg_key(2, 0, 1, 4, 4):
    case sysreg_key(2, 0, 7, 8, 6):
    case sysreg_key(2, 0, 7, 9, 6):
    case sysreg_key(2, 0, 7, 14, 6): return true;
    default: break;
  }
  // DBGBVR/BCR/WVR/WCR<n>_EL1: op1 0, CRn 0, op2 4..7.
  return ((key >> 11) & 7) == 0 && ((key >> 7) & 0xf) == 0 && (key & 7) >= 4;
}

}  // namespace

void debug_reset_this_cpu(unsigned cpu) {
  if (cpu < kCpus && !g_reset_lock_known[cpu]) {
    g_reset_locked[cpu] = (read_sysreg(oslsr_el1) & kOslsrOslk) != 0;
    g_reset_lock_known[cpu] = true;
  }
  write_sysreg(mdscr_el1, 0);
  for (unsigned n = 0; n < breakpoints(); ++n) {
    uint64_t zero = 0;
    (void)access_register(sysreg_key(2, 0, 0, n, 5), true, &zero);  // n < BRPs: cannot fail
    (void)access_register(sysreg_key(2, 0, 0, n, 4), true, &zero);
  }
  for (unsigned n = 0; n < watchpoints(); ++n) {
    uint64_t zero = 0;
    (void)access_register(sysreg_key(2, 0, 0, n, 7), true, &zero);  // n < WRPs: cannot fail
    (void)access_register(sysreg_key(2, 0, 0, n, 6), true, &zero);
  }
  write_sysreg(osdlr_el1, 0);
  write_sysreg(oslar_el1, cpu < kCpus && g_reset_locked[cpu] ? 1 : 0);
  arch::isb();
  apply_routing();
}

bool is_guest_debug_register(const SysRegIss& s) { return known_register(sysreg_key(s)); }

ExitAction guest_debug_register_access(Vm& vm, const ExitInfo& exit, const SysRegIss& s) {
  VcpuContext& ctx = vm.ctx();
  const bool write = s.direction == SysRegDirection::Write;
  uint64_t value = write ? ctx.reg(s.rt) : 0;
  if (!access_register(sysreg_key(s), write, &value)) {
    uint64_t vbar = 0;
    if (inject_sync_exception(vm, undefined_esr(), 0, exit.pc, &vbar) == InjectResult::Delivered)
      return ExitAction::Resume;
    vm.stop(channel::VmExitReason::Fault, 0, &exit,
            "guest accessed debug register op0=2 op1=%u CRn=%u CRm=%u op2=%u at pc 0x%llx, which "
            "this CPU does not implement, and has no exception vector (VBAR_EL1 0x%llx)",
            unsigned(s.op1), unsigned(s.crn), unsigned(s.crm), unsigned(s.op2),
            static_cast<unsigned long long>(exit.pc), static_cast<unsigned long long>(vbar));
    return ExitAction::Stop;
  }
  count(TraceWriter::stats().sysreg_emulated);
  if (write)
    apply_routing();  // MDSCR_EL1 (or a register that does not matter: cheap)
  else
    ctx.set_reg(s.rt, value);
  return ExitAction::Advance;
}

bool guest_watchpoint_hit(Vm& vm, const ExitInfo& exit, unsigned bytes, bool write,
                          ExitAction* action) {
  if (!guest_self_debug_active()) return false;
  const uint64_t mdscr = read_sysreg(mdscr_el1);
  const uint64_t pstate = vm.ctx().spsr;
  const bool el1 = guest_at_el1(pstate);
  // Watchpoints need MDE; from EL1, whose debug target is EL1 itself, also
  // KDE and PSTATE.D clear (D2.5.1).
  if (!(mdscr & kMdscrMde)) return false;
  if (el1 && (!(mdscr & kMdscrKde) || (pstate & kPstateD))) return false;
  const WatchedAccess access{exit.far, bytes, write, !el1};
  bool hit = false;
  for (unsigned n = 0; n < watchpoints() && !hit; ++n) {
    uint64_t wcr = 0, wvr = 0;
    if (!access_register(sysreg_key(2, 0, 0, n, 7), false, &wcr) ||
        !access_register(sysreg_key(2, 0, 0, n, 6), false, &wvr))
      break;
    hit = watchpoint_matches(wcr, wvr, access);
  }
  if (!hit) return false;
  const ExceptionClass ec = el1 ? ExceptionClass::WATCHPT_CUR : ExceptionClass::WATCHPT_LOW;
  const uint64_t esr = make_esr(ec, true, (write ? kIssWnr : 0) | kDfscDebug);
  uint64_t vbar = 0;
  if (inject_sync_exception(vm, esr, exit.far, exit.pc, &vbar) == InjectResult::Delivered) {
    *action = ExitAction::Resume;
    return true;
  }
  vm.stop(channel::VmExitReason::Fault, 0, &exit,
          "guest hit its own watchpoint at 0x%llx (pc 0x%llx) and has no exception vector for it "
          "(VBAR_EL1 is 0x%llx)",
          static_cast<unsigned long long>(exit.far), static_cast<unsigned long long>(exit.pc),
          static_cast<unsigned long long>(vbar));
  *action = ExitAction::Stop;
  return true;
}

void debug_capture(VcpuState::Debug* out) {
  out->mdscr = read_sysreg(mdscr_el1);
  out->oslsr = read_sysreg(oslsr_el1);
  out->breakpoints = breakpoints();
  out->watchpoints = watchpoints();
  for (unsigned n = 0; n < out->breakpoints; ++n) {
    (void)access_register(sysreg_key(2, 0, 0, n, 4), false, &out->bvr[n]);  // n < BRPs
    (void)access_register(sysreg_key(2, 0, 0, n, 5), false, &out->bcr[n]);
  }
  for (unsigned n = 0; n < out->watchpoints; ++n) {
    (void)access_register(sysreg_key(2, 0, 0, n, 6), false, &out->wvr[n]);  // n < WRPs
    (void)access_register(sysreg_key(2, 0, 0, n, 7), false, &out->wcr[n]);
  }
}

void debug_restore(const VcpuState::Debug& in) {
  for (unsigned n = 0; n < in.breakpoints && n < breakpoints(); ++n) {
    uint64_t bvr = in.bvr[n], bcr = in.bcr[n];
    (void)access_register(sysreg_key(2, 0, 0, n, 4), true, &bvr);
    (void)access_register(sysreg_key(2, 0, 0, n, 5), true, &bcr);
  }
  for (unsigned n = 0; n < in.watchpoints && n < watchpoints(); ++n) {
    uint64_t wvr = in.wvr[n], wcr = in.wcr[n];
    (void)access_register(sysreg_key(2, 0, 0, n, 6), true, &wvr);
    (void)access_register(sysreg_key(2, 0, 0, n, 7), true, &wcr);
  }
  write_sysreg(mdscr_el1, in.mdscr);
  write_sysreg(oslar_el1, (in.oslsr & kOslsrOslk) ? 1 : 0);
  arch::isb();
  apply_routing();
}

bool guest_self_debug_active() { return (read_sysreg(mdcr_el2) & kMdcrTde) == 0; }

}  // namespace nestlab
