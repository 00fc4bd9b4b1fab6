#include "vhv/el2/sched/sched.h"

#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/channel/gic.h"
#include "vhv/el2/sched/task.h"
#include "vhv/el2/timer/phys_timer.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/lowvisor.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

Spinlock g_lock;

// One physical interrupt, acknowledged on this CPU. `vm` may be null (no
// VM running on this CPU).
void handle_one(Vm* vm, uint32_t intid) {
  const unsigned cpu = this_cpu();
  if (intid == PhysicalGic::kVtimerPpi && vm && vm->vcpu(cpu).loaded &&
      vm->vcpu(cpu).power == PowerState::On) {
    // Stays active until the guest deactivates it (ICH_LR.HW, vgic/).
    PhysicalGic::priority_drop(intid);
    vgic_timer_fired(*vm, cpu);
    return;
  }
  if (intid == PhysicalGic::kHypTimerPpi) {
    if (vm && vm->vcpu(cpu).loaded)
      phys_timer_fired(*vm, cpu);
    else
      phys_timer_off();
    PhysicalGic::end_of_interrupt(intid);
    return;
  }
  if (intid == layout::kVhvPl011Intid)
    Channel::drain(Lowvisor::instance());
  else if (intid != PhysicalGic::kKickSgi && intid != PhysicalGic::kVtimerPpi)
    Channel::log("irq: unexpected physical interrupt %u on CPU %u", intid, cpu);
  PhysicalGic::end_of_interrupt(intid);
}

void handle_all(Vm* vm) {
  for (unsigned n = 0; n < 64; ++n) {
    const uint32_t intid = PhysicalGic::acknowledge();
    if (intid >= PhysicalGic::kSpurious) break;
    handle_one(vm, intid);
  }
  // Lowvisor tasks that moved here (S13) came with a kick.
  sched_run_queued_tasks();
}

}  // namespace

Spinlock& sched_lock() { return g_lock; }

void sched_kick(unsigned cpu) {
  if (cpu < cpu_count()) PhysicalGic::send_sgi(cpu, PhysicalGic::kKickSgi);
}

void sched_handle_physical_irqs(Vm& vm) { handle_all(&vm); }

void sched_sleep(Vm& vm) {
  g_lock.unlock();
  arch::wfi();
  g_lock.lock();
  handle_all(&vm);
}

ExitAction sched_block_on_wfi(Vm& vm) {
  const unsigned cpu = this_cpu();
  Vcpu& v = vm.vcpu(cpu);
  for (;;) {
    if (!vm.active() || v.power != PowerState::On || vgic_wakeup_pending(vm, cpu))
      return ExitAction::Advance;
    if (cpu == 0 && vm.stop_requested()) return ExitAction::Advance;
    sched_sleep(vm);
  }
}

[[noreturn]] void sched_secondary_loop(unsigned cpu) {
  g_lock.lock();
  for (;;) {
    Vm& vm = Lowvisor::instance().vm();
    if (vm.active() && cpu < vm.vcpu_count()) {
      vm.run_vcpu(cpu);
      continue;
    }
    g_lock.unlock();
    arch::wfi();
    g_lock.lock();
    handle_all(nullptr);
  }
}

}  // namespace nestlab
