// HVC from the guest (EC 0x16): SMCCC calls, of which PSCI is the only
// service (DEN0022 over DEN0028). The decision is pure logic in
// vhv/common/psci.cpp; this file carries it out on the VM.
#include "vhv/common/psci.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

ExitAction handle_hvc64(Vm& vm, const ExitInfo& exit) {
  VcpuContext& ctx = vm.ctx();
  const psci::Outcome o =
      psci::handle_call(ctx.x[0], ctx.x[1], ctx.x[2], ctx.x[3], psci::Platform{1, 0});
  // HVC's preferred return address is the next instruction: ELR_EL2 is
  // already there, so every path resumes without advancing.
  switch (o.action) {
    case psci::Action::Return: ctx.x[0] = o.x0; return ExitAction::Resume;
    case psci::Action::SystemOff:
      vm.stop(channel::VmExitReason::PowerOff, o.exit_code, &exit,
              "the guest powered off (PSCI SYSTEM_OFF) with exit code %u", unsigned(o.exit_code));
      return ExitAction::Stop;
    case psci::Action::SystemReset: return ExitAction::Reboot;
    case psci::Action::CpuOff:
      // The only vCPU turned itself off: nothing can ever wake it, so the
      // VM is over, like a power-off with code 0.
      vm.stop(channel::VmExitReason::PowerOff, 0, &exit,
              "the guest turned off its only vCPU (PSCI CPU_OFF); treating it as a power-off with "
              "exit code 0");
      return ExitAction::Stop;
  }
  return ExitAction::Resume;
}

}  // namespace nestlab
