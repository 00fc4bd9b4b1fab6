#include "vhv/el2/trap/dispatch.h"

#include "vhv/el2/channel/channel.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/trap/wfe_patch.h"
#include "vhv/el2/vm/fp_switch.h"
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
  set(t, ExceptionClass::SYS64, handle_sys64);
  set(t, ExceptionClass::BRK64, handle_brk64);
  set(t, ExceptionClass::SVE_SIMD_FP, handle_fp_access);  // vm/fp_switch.cpp
  return t;
}

constexpr DispatchTable kTable = make_table();

// The trace records the handler's decision as the ExitAction value.
static_assert(uint8_t(trace::Result::Advance) == uint8_t(ExitAction::Advance));
static_assert(uint8_t(trace::Result::Resume) == uint8_t(ExitAction::Resume));
static_assert(uint8_t(trace::Result::Reboot) == uint8_t(ExitAction::Reboot));
static_assert(uint8_t(trace::Result::Stop) == uint8_t(ExitAction::Stop));

}  // namespace

ExitAction dispatch_exit(Vm& vm, const ExitInfo& exit) {
  ExitAction action = kTable.handlers[static_cast<uint8_t>(exit.ec) & 63](vm, exit);
  // The WFE watchdog (S14) is checked at every exit of the VM.
  action = watchdog_check(vm, exit, action);
  TraceWriter::record(exit, static_cast<trace::Result>(action));
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
