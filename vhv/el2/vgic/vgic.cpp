#include "vhv/el2/vgic/vgic.h"

#include "vhv/common/lr_select.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/channel/gic.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/trap/sysreg_table.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

using vgic::GicModel;
using vgic::Irq;

constexpr uint32_t kNoIrq = Vgic::kNoIrq;
// ICH_LR<n>_EL2 fields (IHI 0069 12.4.8).
constexpr uint64_t kLrPending = 1ull << 62, kLrActive = 2ull << 62, kLrHw = 1ull << 61,
                   kLrGroup1 = 1ull << 60;
constexpr uint64_t kIchHcrEn = 1;
constexpr uint32_t kVtimerIntid = 27;
constexpr uint64_t kCntCtlEnable = 1, kCntCtlImask = 2, kCntCtlIstatus = 4;

// Every list register the CPU implements (ICH_VTR_EL2.ListRegs, IHI 0069
// 12.4.9): QEMU's GICv3 has 4, hardware up to 16.
unsigned lr_count() {
  static unsigned n = 0;
  if (n == 0) n = list_registers_from_vtr(read_sysreg(S3_4_C12_C11_1));
  return n;
}

// ICH_LR<n>_EL2 are S3_4_C12_C12_{0..7} (LR0..7) and S3_4_C12_C13_{0..7}
// (LR8..15). n < lr_count() <= 16: an index past the implemented ones would
// be UNDEFINED at EL2.
uint64_t read_lr(unsigned n) {
  switch (n) {
    case 0: return read_sysreg(S3_4_C12_C12_0);
    case 1: return read_sysreg(S3_4_C12_C12_1);
    case 2: return read_sysreg(S3_4_C12_C12_2);
    case 3: return read_sysreg(S3_4_C12_C12_3);
    case 4: return read_sysreg(S3_4_C12_C12_4);
    case 5: return read_sysreg(S3_4_C12_C12_5);
    case 6: return read_sysreg(S3_4_C12_C12_6);
    case 7: return read_sysreg(S3_4_C12_C12_7);
    case 8: return read_sysreg(S3_4_C12_C13_0);
    case 9: return read_sysreg(S3_4_C12_C13_1);
    case 10: return read_sysreg(S3_4_C12_C13_2);
    case 11: return read_sysreg(S3_4_C12_C13_3);
    case 12: return read_sysreg(S3_4_C12_C13_4);
    case 13: return read_sysreg(S3_4_C12_C13_5);
    case 14: return read_sysreg(S3_4_C12_C13_6);
    case 15: return read_sysreg(S3_4_C12_C13_7);
    default: return 0;
  }
}
void write_lr(unsigned n, uint64_t v) {
  switch (n) {
    case 0: write_sysreg(S3_4_C12_C12_0, v); break;
    case 1: write_sysreg(S3_4_C12_C12_1, v); break;
    case 2: write_sysreg(S3_4_C12_C12_2, v); break;
    case 3: write_sysreg(S3_4_C12_C12_3, v); break;
    case 4: write_sysreg(S3_4_C12_C12_4, v); break;
    case 5: write_sysreg(S3_4_C12_C12_5, v); break;
    case 6: write_sysreg(S3_4_C12_C12_6, v); break;
    case 7: write_sysreg(S3_4_C12_C12_7, v); break;
    case 8: write_sysreg(S3_4_C12_C13_0, v); break;
    case 9: write_sysreg(S3_4_C12_C13_1, v); break;
    case 10: write_sysreg(S3_4_C12_C13_2, v); break;
    case 11: write_sysreg(S3_4_C12_C13_3, v); break;
    case 12: write_sysreg(S3_4_C12_C13_4, v); break;
    case 13: write_sysreg(S3_4_C12_C13_5, v); break;
    case 14: write_sysreg(S3_4_C12_C13_6, v); break;
    case 15: write_sysreg(S3_4_C12_C13_7, v); break;
    default: break;
  }
}

// ICH_AP0R<n>_EL2/ICH_AP1R<n>_EL2 (12.4.1/12.4.2): one of each for 5 bits
// of virtual priority (ICH_VTR_EL2.PRIbits + 1), two for 6, four for 7.
unsigned priority_bits() {
  return static_cast<unsigned>((read_sysreg(S3_4_C12_C11_1) >> 29) & 7) + 1;
}

void clear_active_priorities() {
  const unsigned pribits = priority_bits();
  write_sysreg(S3_4_C12_C8_0, 0);  // ICH_AP0R0_EL2
  write_sysreg(S3_4_C12_C9_0, 0);  // ICH_AP1R0_EL2
  if (pribits >= 6) {
    write_sysreg(S3_4_C12_C8_1, 0);
    write_sysreg(S3_4_C12_C9_1, 0);
  }
  if (pribits >= 7) {
    write_sysreg(S3_4_C12_C8_2, 0);
    write_sysreg(S3_4_C12_C9_2, 0);
    write_sysreg(S3_4_C12_C8_3, 0);
    write_sysreg(S3_4_C12_C9_3, 0);
  }
}

bool timer_asserted() {
  const uint64_t ctl = read_sysreg(cntv_ctl_el0);
  return (ctl & (kCntCtlEnable | kCntCtlImask | kCntCtlIstatus)) ==
         (kCntCtlEnable | kCntCtlIstatus);
}

// Tells every other vCPU of the VM: enables and pendings may concern vCPUs
// running elsewhere, or waiting in WFI.
void kick_others(Vm& vm) {
  const unsigned self = vm.here();
  for (unsigned c = 0; c < vm.vgic().model().vcpus(); ++c)
    if (c != self) sched_wake(vm, c);
}

// The timer's level may have dropped (the guest disabled or reprogrammed
// it) while its interrupt waited in the model: withdraw it and release the
// physical one, so the guest neither sees it pending nor takes it.
void resample_vtimer(Vgic& vgic, unsigned vcpu) {
  Irq& timer = vgic.model().irq(vcpu, kVtimerIntid);
  if (timer.pending && !timer.active && !timer_asserted()) {
    timer.pending = false;
    vgic.mark_dirty();
    PhysicalGic::deactivate(PhysicalGic::kVtimerPpi);
  }
}

}  // namespace

void Vgic::distributor_written() {
  mark_dirty();
  kick_others(*m_vm);
}

void Vgic::redistributor_written(unsigned vcpu) {
  mark_dirty();
  Vm& vm = *m_vm;
  if (vcpu != vm.here() && vcpu < m_model.vcpus()) sched_wake(vm, vcpu);
}

void vgic_reset(Vm& vm, unsigned vcpus) {
  Vgic& vgic = vm.vgic();
  GicModel& model = vgic.model();
  model.reset(vcpus);
  vgic.mark_dirty();
  for (unsigned c = 0; c < kMaxCpus; ++c)
    for (unsigned i = 0; i < kMaxListRegisters; ++i) vgic.lr_intid(c, i) = kNoIrq;
  model.irq(0, kVtimerIntid);  // PPIs are level (model default)
  for (unsigned v = 0; v < vcpus; ++v) model.irq(v, kVtimerIntid).hw = true;
}

void vgic_inject(Vm& vm, unsigned vcpu, uint32_t intid) {
  Vgic& vgic = vm.vgic();
  if (!vgic.model().valid(intid)) return;
  const unsigned target = vgic.model().raise(vcpu, intid);
  vgic.mark_dirty();
  sched_wake(vm, target);  // kicks its CPU, or wakes it from WFI; nothing if it runs here
}

void vgic_set_level(Vm& vm, unsigned vcpu, uint32_t intid, bool high) {
  Vgic& vgic = vm.vgic();
  if (!vgic.model().valid(intid)) return;
  if (high) {
    vgic_inject(vm, vcpu, intid);
    return;
  }
  Irq& q = vgic.model().irq(vcpu, intid);
  // phys_timer_sync lowers its line before every entry: an idle line going
  // low changes nothing, and marking the model dirty would force the full
  // INTID scan in vgic_flush on every trap round trip.
  if (!q.pending) return;
  q.pending = false;
  vgic.mark_dirty();
}

void vgic_cpu_reset(Vm& vm) {
  Vgic& vgic = vm.vgic();
  const unsigned cpu = this_cpu();
  vgic.mark_dirty();
  for (unsigned i = 0; i < lr_count(); ++i) {
    write_lr(i, 0);
    vgic.lr_intid(cpu, i) = kNoIrq;
  }
  clear_active_priorities();
  write_sysreg(S3_4_C12_C11_7, 0);          // ICH_VMCR_EL2: groups off, VPMR 0
  write_sysreg(S3_4_C12_C11_0, kIchHcrEn);  // ICH_HCR_EL2
  arch::isb();
}

void vgic_cpu_off(Vm& vm) {
  Vgic& vgic = vm.vgic();
  const unsigned cpu = this_cpu();
  vgic.mark_dirty();
  for (unsigned i = 0; i < lr_count(); ++i) {
    write_lr(i, 0);
    vgic.lr_intid(cpu, i) = kNoIrq;
  }
  write_sysreg(S3_4_C12_C11_0, 0);
  write_sysreg(cntv_ctl_el0, 0);
  arch::isb();
  PhysicalGic::deactivate(PhysicalGic::kVtimerPpi);
}

void vgic_sync(Vm& vm, unsigned vcpu) {
  Vgic& vgic = vm.vgic();
  const unsigned cpu = this_cpu();
  for (unsigned i = 0; i < lr_count(); ++i) {
    const uint32_t intid = vgic.lr_intid(cpu, i);
    if (intid == kNoIrq) continue;
    const uint64_t lr = read_lr(i);
    Irq& q = vgic.model().irq(vcpu, intid);
    if (lr & kLrPending) q.pending = true;
    q.active = (lr & kLrActive) != 0;
    write_lr(i, 0);
    vgic.lr_intid(cpu, i) = kNoIrq;
    vgic.dirty(vcpu) = true;  // its state is back in the model
  }
  resample_vtimer(vgic, vcpu);
}

void vgic_flush(Vm& vm, unsigned vcpu) {
  Vgic& vgic = vm.vgic();
  GicModel& model = vgic.model();
  const unsigned cpu = this_cpu();
  resample_vtimer(vgic, vcpu);
  bool& dirty = vgic.dirty(vcpu);
  if (!dirty) return;  // nothing changed since a scan that found nothing to add
  dirty = false;
  // Active interrupts first (their deactivation needs a list register),
  // then pending ones by priority (vhv/common/lr_select.h).
  LrSelection chosen(lr_count());
  for (uint32_t intid = 0; intid < vgic::kIntids; ++intid) {
    const Irq& q = model.irq(vcpu, intid);
    // Most INTIDs are idle on most entries: skip them before the full check.
    if (!q.active && !q.pending) continue;
    if (!q.active && !model.deliverable(vcpu, intid)) continue;
    chosen.offer(intid, q.active, q.priority);
  }
  for (unsigned i = 0; i < chosen.count(); ++i) {
    const uint32_t intid = chosen.intid(i);
    Irq& q = model.irq(vcpu, intid);
    uint64_t lr = intid | (uint64_t(q.priority) << 48) | kLrGroup1;
    if (q.pending) lr |= kLrPending;
    if (q.active) lr |= kLrActive;
    if (q.hw) lr |= kLrHw | (uint64_t(intid) << 32);
    q.pending = false;
    q.active = false;
    write_lr(i, lr);
    vgic.lr_intid(cpu, i) = intid;
  }
  arch::isb();
}

void vgic_capture(VcpuState::Gic* out, uint32_t* lrs) {
  *out = VcpuState::Gic{};
  out->vmcr = read_sysreg(S3_4_C12_C11_7);  // ICH_VMCR_EL2
  out->ap0r[0] = read_sysreg(S3_4_C12_C8_0);
  out->ap1r[0] = read_sysreg(S3_4_C12_C9_0);
  const unsigned pribits = priority_bits();
  if (pribits >= 6) {
    out->ap0r[1] = read_sysreg(S3_4_C12_C8_1);
    out->ap1r[1] = read_sysreg(S3_4_C12_C9_1);
  }
  if (pribits >= 7) {
    out->ap0r[2] = read_sysreg(S3_4_C12_C8_2);
    out->ap1r[2] = read_sysreg(S3_4_C12_C9_2);
    out->ap0r[3] = read_sysreg(S3_4_C12_C8_3);
    out->ap1r[3] = read_sysreg(S3_4_C12_C9_3);
  }
  *lrs = lr_count();
  for (unsigned i = 0; i < lr_count(); ++i) out->lr[i] = read_lr(i);
}

void vgic_restore(Vm& vm, unsigned vcpu, const VcpuState::Gic& in) {
  Vgic& vgic = vm.vgic();
  const unsigned cpu = this_cpu();
  for (unsigned i = 0; i < lr_count(); ++i) {
    write_lr(i, 0);  // the model holds every interrupt between entries
    vgic.lr_intid(cpu, i) = kNoIrq;
  }
  write_sysreg(S3_4_C12_C8_0, in.ap0r[0]);
  write_sysreg(S3_4_C12_C9_0, in.ap1r[0]);
  const unsigned pribits = priority_bits();
  if (pribits >= 6) {
    write_sysreg(S3_4_C12_C8_1, in.ap0r[1]);
    write_sysreg(S3_4_C12_C9_1, in.ap1r[1]);
  }
  if (pribits >= 7) {
    write_sysreg(S3_4_C12_C8_2, in.ap0r[2]);
    write_sysreg(S3_4_C12_C9_2, in.ap1r[2]);
    write_sysreg(S3_4_C12_C8_3, in.ap0r[3]);
    write_sysreg(S3_4_C12_C9_3, in.ap1r[3]);
  }
  write_sysreg(S3_4_C12_C11_7, in.vmcr);
  write_sysreg(S3_4_C12_C11_0, kIchHcrEn);
  arch::isb();
  vgic.dirty(vcpu) = true;
  // The guest is still inside its timer interrupt handler: keep the
  // physical timer interrupt of this CPU active as it was on the old one,
  // or it would fire again at once; the guest's deactivation through the
  // hardware list register ends it here.
  if (vgic.model().irq(vcpu, kVtimerIntid).active)
    PhysicalGic::set_ppi_active(PhysicalGic::kVtimerPpi);
}

bool vgic_wakeup_pending(Vm& vm, unsigned vcpu) { return vm.vgic().model().any_deliverable(vcpu); }

void vgic_timer_fired(Vm& vm, unsigned vcpu) {
  vm.vgic().model().irq(vcpu, kVtimerIntid).pending = true;
  vm.vgic().mark_dirty();
}

ExitAction vgic_sgi_write(Vm& vm, const ExitInfo& /*exit*/, const SysRegIss& s) {
  if (s.direction == SysRegDirection::Read) {
    vm.ctx().set_reg(s.rt, 0);  // write-only register
    return ExitAction::Advance;
  }
  const unsigned self = vm.here();
  const uint32_t targets = vm.vgic().model().send_sgi(self, vm.ctx().reg(s.rt));
  vm.vgic().mark_dirty();
  for (unsigned c = 0; c < vgic::kMaxVcpus; ++c)
    if ((targets >> c) & 1 && c != self) sched_wake(vm, c);
  return ExitAction::Advance;
}

}  // namespace nestlab
