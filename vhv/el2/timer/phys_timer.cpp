#include "vhv/el2/timer/phys_timer.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/timer/guest_time.h"
#include "vhv/el2/trap/sysreg_table.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

constexpr uint64_t kCtlEnable = 1, kCtlImask = 2, kCtlIstatus = 4;
constexpr uint32_t kGuestPtimerPpi = 30;  // EL1 physical timer (QEMU virt ARCH_TIMER_NS_EL1_IRQ)

uint64_t guest_now(Vm& vm) {
  arch::isb();
  return read_sysreg(cntpct_el0) - vm.cntvoff();
}

bool condition(const PhysTimer& t, uint64_t now) { return (t.ctl & kCtlEnable) && now >= t.cval; }

void update_level(Vm& vm, unsigned vcpu, const PhysTimer& t) {
  // Runs before every guest entry: read the counter only when the timer is
  // on and unmasked (the read is an ISB plus a slow counter access in TCG).
  const bool high = (t.ctl & (kCtlEnable | kCtlImask)) == kCtlEnable && condition(t, guest_now(vm));
  vgic_set_level(vm, vcpu, kGuestPtimerPpi, high);
}

}  // namespace

void phys_timer_reset(Vcpu& v) { v.phys_timer = PhysTimer{}; }

void phys_timer_check(Vm& vm, unsigned vcpu) {
  PhysTimer& t = vm.vcpu(vcpu).phys_timer;
  if ((t.ctl & (kCtlEnable | kCtlImask)) != kCtlEnable || t.fired || !condition(t, guest_now(vm)))
    return;
  // The guest's level now lives in the vGIC until it reprograms its timer.
  t.fired = true;
  update_level(vm, vcpu, t);
}

void phys_timer_sync(Vm& vm, unsigned vcpu) {
  PhysTimer& t = vm.vcpu(vcpu).phys_timer;
  // S10: the VM's offset moved (resume after a pause): the backing deadline
  // is in host time, so it moves with it.
  if (guest_time_sync(vm, vcpu)) sched_timer_changed();
  update_level(vm, vcpu, t);
}

ExitAction phys_counter_access(Vm& vm, const ExitInfo&, const SysRegIss& s) {
  if (s.direction == SysRegDirection::Read) vm.ctx().set_reg(s.rt, guest_now(vm));
  return ExitAction::Advance;  // writes to CNTPCT_EL0 do not exist: ignored
}

ExitAction phys_timer_access(Vm& vm, const ExitInfo&, const SysRegIss& s) {
  const unsigned vcpu = vm.here();
  PhysTimer& t = vm.vcpu(vcpu).phys_timer;
  const uint64_t now = guest_now(vm);
  const bool read = s.direction == SysRegDirection::Read;
  VcpuContext& ctx = vm.ctx();
  switch (s.op2) {
    case 0:  // CNTP_TVAL_EL0: 32-bit signed distance to the deadline
      if (read) {
        ctx.set_reg(s.rt, static_cast<uint32_t>(t.cval - now));
      } else {
        t.cval =
            now + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(ctx.reg(s.rt))));
      }
      break;
    case 1:  // CNTP_CTL_EL0
      if (read) {
        ctx.set_reg(s.rt,
                    (t.ctl & (kCtlEnable | kCtlImask)) | (condition(t, now) ? kCtlIstatus : 0));
      } else {
        t.ctl = ctx.reg(s.rt) & (kCtlEnable | kCtlImask);
      }
      break;
    case 2:  // CNTP_CVAL_EL0
      if (read)
        ctx.set_reg(s.rt, t.cval);
      else
        t.cval = ctx.reg(s.rt);
      break;
    default: break;
  }
  if (!read) {
    t.fired = false;
    sched_timer_changed();
    update_level(vm, vcpu, t);
  }
  return ExitAction::Advance;
}

}  // namespace nestlab
