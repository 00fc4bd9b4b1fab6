// The run loop of one vCPU on this CPU: Vm::run_vcpu loads the vCPU, enters
// it until the scheduler (sched/) says it should leave, carries out what the
// trap handlers decide, and puts its state away again.
#include "vhv/common/exception_inject.h"
#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/channel/channel.h"
#include "vhv/el2/sched/prda_probe.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/timer/phys_timer.h"
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/trap/interrupt_security.h"
#include "vhv/el2/trap/status.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/fp_switch.h"
#include "vhv/el2/vm/vcpu_state.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

void Vm::wait_for_other_vcpus(unsigned index) {
  Spinlock& lock = sched_lock();
  for (unsigned i = 0; i < m_vcpu_count; ++i) {
    if (i == index) continue;
    while (m_vcpus[i].cpu >= 0) {
      sched_kick(unsigned(m_vcpus[i].cpu));
      lock.unlock();
      asm volatile("yield");
      lock.lock();
    }
  }
}

void Vm::reboot(unsigned index, const ExitInfo& info) {
  m_console.flush();
  Channel::log("vm %u: rebooting (from vCPU %u)", unsigned(id()), index);
  StatusWriter::set_state(id(), VmState::Loading);
  // Like a machine reset: every other vCPU stops where it is first.
  for (unsigned i = 0; i < m_vcpu_count; ++i)
    if (i != index) m_vcpus[i].power = PowerState::Off;
  wait_for_other_vcpus(index);
  m_vcpus[index].power = PowerState::Off;
  m_reboot_pending = false;
  char why[256];
  vgic_reset(*this, m_vcpu_count);
  m_devices.reset();  // a reset resets the devices too
  if (!load_image(why, sizeof(why))) {
    stop(channel::VmExitReason::Reset, 0, &info,
         "the guest asked for a reset but reloading failed: %s", why);
    return;
  }
  StatusWriter::set_state(id(), VmState::Running);
  wake_all();  // vCPU 0 (and mailbox-parked secondaries) start again
}

void Vm::run_vcpu(unsigned index) {
  Spinlock& lock = sched_lock();
  Vcpu& v = m_vcpus[index];
  sched_on_load(*this, v);
  v.loaded = true;
  if (v.power == PowerState::OnPending) {
    reset_this_cpu(index);
    v.power = PowerState::On;
  } else {
    load_this_cpu(index);
  }
  prda_probe_arrived(v);  // S13: a probe that moved with the vCPU ends here
  sched_timer_changed();
  while (!m_stopped && m_active) {
    if (m_reboot_pending) {
      const ExitInfo none{ExceptionClass::Unknown, 0, 0, v.ctx.elr, 0, 0};
      reboot(index, none);
      continue;
    }
    if (v.power == PowerState::OnPending) {  // reset while loaded (reboot)
      reset_this_cpu(index);
      v.power = PowerState::On;
      sched_timer_changed();
    }
    if (v.power != PowerState::On || v.blocked) break;
    if (sched_should_yield(*this, v)) break;
    phys_timer_sync(*this, index);
    vgic_flush(*this, index);
    isec_before_entry(*this, v.ctx);  // S24 (trap/interrupt_security.h)
    lock.unlock();
    const ExitKind kind = enter_guest(&v.ctx);
    lock.lock();
    vgic_sync(*this, index);
    if (kind != ExitKind::Sync) StatusWriter::count_entry();  // Sync: in count_exit
    if (kind == ExitKind::Irq || kind == ExitKind::Fiq) {
      m_console.flush();
      sched_handle_physical_irqs();
      continue;
    }
    if (kind != ExitKind::Sync) {
      ExitInfo info{ExceptionClass::SERROR, read_sysreg(esr_el2), 0, v.ctx.elr, 0, 0};
      stop(channel::VmExitReason::Fault, 0, &info,
           kind == ExitKind::SError
               ? "the guest caused an SError at pc 0x%llx; the VM cannot continue"
               : "the guest entered AArch32 state at pc 0x%llx, which is not supported",
           static_cast<unsigned long long>(v.ctx.elr));
      break;
    }
    const uint64_t esr = read_sysreg(esr_el2);
    ExitInfo info{esr_class(esr), esr, esr_iss(esr), v.ctx.elr, read_sysreg(far_el2), 0};
    if (info.ec == ExceptionClass::DABT_LOW || info.ec == ExceptionClass::IABT_LOW)
      info.ipa =
          ((read_sysreg(hpfar_el2) >> 4) << 12) | (info.far & 0xfff);  // D17.2.56 HPFAR_EL2.FIPA
    StatusWriter::count_exit(info.ec);
    if (info.ec != ExceptionClass::DABT_LOW) m_console.flush();

    switch (dispatch_exit(*this, info)) {
      case ExitAction::Advance:
        // The lowvisor completed the instruction for the guest: if the guest
        // is single-stepping it, the step is done, so PSTATE.SS goes to 0
        // and the step exception is taken before the next instruction
        // (active-pending, Arm ARM D2.12.5), as after the same instruction
        // on plain QEMU.
        v.ctx.elr += 4;
        v.ctx.spsr &= ~kPstateSs;
        break;
      case ExitAction::Resume: break;
      case ExitAction::Reboot: reboot(index, info); break;
      case ExitAction::Stop: break;
    }
  }
  put_this_cpu(index);
  sched_on_put(*this, v);
}

}  // namespace nestlab
