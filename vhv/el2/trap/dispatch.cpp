#include "vhv/el2/trap/dispatch.h"

#include "vhv/el2/channel/channel.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

struct DispatchTable {
  ExitHandler handlers[kExceptionClassCount];
};

constexpr void set(DispatchTable& t, ExceptionClass ec, ExitHandler h) {
  t.handlers[static_cast<uint8_t>(ec)] = h;
}

// NOVA/Zircon style: every class has an entry; unhandled ones stop the VM
// with a clear message instead of hanging or panicking the lowvisor.
constexpr DispatchTable make_table() {
  DispatchTable t{};
  for (auto& h : t.handlers) h = handle_unexpected;
  set(t, ExceptionClass::WFx, handle_wfx);
  set(t, ExceptionClass::HVC64, handle_hvc64);
  set(t, ExceptionClass::SMC64, handle_smc64);
  set(t, ExceptionClass::DABT_LOW, handle_data_abort_low);
  set(t, ExceptionClass::IABT_LOW, handle_instruction_abort_low);
  // Reserved for later issues (their traps are not enabled yet):
  //   SYS64  — timer/counter (CNTHCTL_EL2) and DCC (MDCR_EL2.TDCC) accesses;
  //   BRK64  — the BRK #imm backdoor (MDCR_EL2.TDE).
  return t;
}

constexpr DispatchTable kTable = make_table();

}  // namespace

ExitAction dispatch_exit(Vm& vm, const ExitInfo& exit) {
  const ExitAction action = kTable.handlers[static_cast<uint8_t>(exit.ec) & 63](vm, exit);
  // The audit point: a guest stopped by a fault is worth a log line.
  if (action == ExitAction::Stop && vm.stop_info().payload.reason == channel::VmExitReason::Fault) {
    Channel::log("trap: %s exit (ESR 0x%llx) at pc 0x%llx stopped VM %u",
                 exception_class_name(exit.ec), static_cast<unsigned long long>(exit.esr),
                 static_cast<unsigned long long>(exit.pc), unsigned(vm.id()));
  }
  return action;
}

const char* exit_action_name(ExitAction a) {
  switch (a) {
    case ExitAction::Advance: return "advance";
    case ExitAction::Resume: return "resume";
    case ExitAction::Reboot: return "reboot";
    case ExitAction::Stop: return "stop";
  }
  return "?";
}

}  // namespace nestlab
