// The run loops: Vm::run on the boot CPU starts the VM's vCPU loops (its
// own and, through sched/, those of the other CPUs), and Vm::run_vcpu enters
// one vCPU and carries out what the trap handlers decide.
#include "vhv/common/exception_inject.h"
#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/channel/channel.h"
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

void Vm::run() {
  Spinlock& lock = sched_lock();
  lock.lock();
  StatusWriter::set_state(VmState::Running);
  m_active = true;
  for (unsigned c = 1; c < m_vcpu_count; ++c) sched_kick(c);
  run_vcpu(0);
  // The VM is over: get every other CPU out of it before reporting, so the
  // next VM starts from a quiet machine.
  m_active = false;
  wait_for_other_cpus(0, true);
  // Their last kicks are latched at this CPU: take them now, or the idle
  // loop's WFI (vm/lowvisor.cpp) would return at once, forever.
  sched_handle_physical_irqs(*this);
  m_console.flush();
  StatusWriter::set_state(VmState::Stopped);
  lock.unlock();
}

void Vm::wait_for_other_cpus(unsigned cpu, bool leave_vm) {
  Spinlock& lock = sched_lock();
  for (unsigned c = 0; c < m_vcpu_count; ++c) {
    if (c == cpu) continue;
    sched_kick(c);
    while (leave_vm ? m_vcpus[c].in_vm : m_vcpus[c].loaded) {
      lock.unlock();
      asm volatile("yield");
      lock.lock();
    }
  }
}

void Vm::reboot(unsigned cpu, const ExitInfo& info) {
  m_console.flush();
  Channel::log("vm %u: rebooting (PSCI SYSTEM_RESET from vCPU %u)", unsigned(id()), cpu);
  StatusWriter::set_state(VmState::Loading);
  // Like a machine reset: every other vCPU stops where it is first.
  for (unsigned c = 0; c < m_vcpu_count; ++c)
    if (c != cpu) m_vcpus[c].power = PowerState::Off;
  wait_for_other_cpus(cpu, false);
  m_vcpus[cpu].power = PowerState::Off;
  char why[256];
  m_uart = Pl011(&m_console, &m_console);  // a reset resets the devices too
  vgic_reset(*this, m_vcpu_count);
  if (!load_image(why, sizeof(why))) {
    stop(channel::VmExitReason::Reset, 0, &info,
         "the guest asked for a reset but reloading failed: %s", why);
    return;
  }
  if (cpu != 0) sched_kick(0);
  StatusWriter::set_state(VmState::Running);
}

void Vm::run_vcpu(unsigned cpu) {
  Spinlock& lock = sched_lock();
  Vcpu& v = m_vcpus[cpu];
  v.in_vm = true;
  while (!m_stopped && m_active) {
    if (cpu == 0 && m_stop_requested) {
      stop(channel::VmExitReason::Stopped, 0, nullptr, "the VM was stopped on request (StopVm)");
      break;
    }
    if (v.power == PowerState::OnPending) {
      reset_this_cpu(cpu);
      v.loaded = true;
      v.power = PowerState::On;
    }
    if (v.power != PowerState::On) {
      if (v.loaded) {
        vcpu_capture(*this, cpu);  // before the vGIC and timers are off
        vgic_cpu_off(*this);
        phys_timer_off();
        fp_put(v);
        v.loaded = false;
      }
      sched_sleep(*this);
      continue;
    }
    phys_timer_sync(*this, cpu);
    vgic_flush(*this, cpu);
    isec_before_entry(*this, v.ctx);  // S24 (trap/interrupt_security.h)
    lock.unlock();
    const ExitKind kind = enter_guest(&v.ctx);
    lock.lock();
    vgic_sync(*this, cpu);
    if (kind != ExitKind::Sync) StatusWriter::count_entry();  // Sync: in count_exit
    if (kind == ExitKind::Irq || kind == ExitKind::Fiq) {
      m_console.flush();
      handle_irq();
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
      case ExitAction::Reboot: reboot(cpu, info); break;
      case ExitAction::Stop: break;
    }
  }
  // Other CPUs may be asleep in WFI: make them notice the end.
  if (m_stopped)
    for (unsigned c = 0; c < m_vcpu_count; ++c)
      if (c != cpu) sched_kick(c);
  if (v.loaded) {
    vcpu_capture(*this, cpu);  // before the vGIC and timers are off
    vgic_cpu_off(*this);
    phys_timer_off();
    fp_put(v);
    v.loaded = false;
  }
  v.in_vm = false;
}

}  // namespace nestlab
