// HVC from the guest (EC 0x16): SMCCC calls, of which PSCI is the only
// service (DEN0022 over DEN0028). The decision is pure logic in
// vhv/common/psci.cpp; this file carries it out on the VM.
#include "vhv/common/psci.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

ExitAction handle_hvc64(Vm& vm, const ExitInfo& exit) {
  VcpuContext& ctx = vm.ctx();
  const unsigned self = vm.here();
  psci::AffinityState states[kMaxCpus];
  for (unsigned i = 0; i < kMaxCpus; ++i)
    states[i] = vm.vcpu(i).power == PowerState::On          ? psci::AffinityState::On
                : vm.vcpu(i).power == PowerState::OnPending ? psci::AffinityState::OnPending
                                                            : psci::AffinityState::Off;
  const psci::Outcome o = psci::handle_call(ctx.x[0], ctx.x[1], ctx.x[2], ctx.x[3],
                                            psci::Platform{vm.vcpu_count(), self, states});
  // HVC's preferred return address is the next instruction: ELR_EL2 is
  // already there, so every path resumes without advancing.
  switch (o.action) {
    case psci::Action::Return: ctx.x[0] = o.x0; return ExitAction::Resume;
    case psci::Action::SystemOff:
      vm.stop(channel::VmExitReason::PowerOff, o.exit_code, &exit,
              "the guest powered off (PSCI SYSTEM_OFF) with exit code %u", unsigned(o.exit_code));
      return ExitAction::Stop;
    case psci::Action::SystemReset: return ExitAction::Reboot;
    case psci::Action::CpuOn:
      // DEN0022 5.6: the target starts at entry_point_address (x2) with
      // x0 = context_id (x3), on its own CPU (sched/).
      vm.power_on(o.target, ctx.x[2], ctx.x[3]);  // and wakes a CPU for it
      ctx.x[0] = o.x0;
      return ExitAction::Resume;
    case psci::Action::CpuOff: {
      vm.vcpu(self).power = PowerState::Off;
      bool any_on = false;
      for (unsigned i = 0; i < vm.vcpu_count(); ++i)
        any_on = any_on || vm.vcpu(i).power != PowerState::Off;
      if (any_on) return ExitAction::Resume;  // the run loop parks this CPU
      // The last vCPU turned itself off: nothing can ever wake the VM, so
      // it is over, like a power-off with code 0.
      vm.stop(channel::VmExitReason::PowerOff, 0, &exit,
              "the guest turned off its last vCPU (PSCI CPU_OFF); treating it as a power-off with "
              "exit code 0");
      return ExitAction::Stop;
    }
  }
  return ExitAction::Resume;
}

}  // namespace nestlab
