#include "vhv/el2/vgic/vgic.h"

#include "vhv/common/layout.h"
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

constexpr unsigned kMaxLrs = kMaxListRegisters;
constexpr uint32_t kNoIrq = ~0u;
// ICH_LR<n>_EL2 fields (IHI 0069 12.4.8).
constexpr uint64_t kLrPending = 1ull << 62, kLrActive = 2ull << 62, kLrHw = 1ull << 61,
                   kLrGroup1 = 1ull << 60;
constexpr uint64_t kIchHcrEn = 1;
constexpr uint32_t kVtimerIntid = 27;
constexpr uint64_t kCntCtlEnable = 1, kCntCtlImask = 2, kCntCtlIstatus = 4;

GicModel g_model;
// Which INTID each list register of each CPU holds (pinned vCPUs).
uint32_t g_lr_intid[kMaxCpus][kMaxLrs];

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
void clear_active_priorities() {
  const unsigned pribits = static_cast<unsigned>((read_sysreg(S3_4_C12_C11_1) >> 29) & 7) + 1;
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

// Per vCPU: could the model hold something deliverable that is not in a
// list register? Every change to the model below sets it (for all vCPUs,
// conservatively); vgic_flush clears it after a scan. A clean vCPU skips the
// scan of every INTID, which otherwise dominates the trap round trip in TCG.
bool g_dirty[vgic::kMaxVcpus] = {};

void mark_dirty() {
  for (bool& d : g_dirty) d = true;
}

class Distributor final : public MmioDevice {
 public:
  const char* name() const override { return "GIC distributor"; }
  uint64_t read(uint64_t offset, unsigned size) override { return g_model.dist_read(offset, size); }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    g_model.dist_write(offset, size, value);
    mark_dirty();
    kick_all();
  }
  static void kick_all() {
    // Enables and pendings may concern vCPUs running elsewhere.
    const unsigned self = this_cpu();
    for (unsigned c = 0; c < g_model.vcpus(); ++c)
      if (c != self) sched_kick(c);
  }
};

class Redistributors final : public MmioDevice {
 public:
  const char* name() const override { return "GIC redistributor"; }
  uint64_t read(uint64_t offset, unsigned size) override {
    return g_model.redist_read(offset, size);
  }
  void write(uint64_t offset, unsigned size, uint64_t value) override {
    g_model.redist_write(offset, size, value);
    mark_dirty();
    const unsigned target = static_cast<unsigned>(offset / vgic::kGicrStride);
    if (target != this_cpu() && target < g_model.vcpus()) sched_kick(target);
  }
};

Distributor g_gicd;
Redistributors g_gicr;

// The timer's level may have dropped (the guest disabled or reprogrammed
// it) while its interrupt waited in the model: withdraw it and release the
// physical one, so the guest neither sees it pending nor takes it.
void resample_vtimer(unsigned vcpu) {
  Irq& timer = g_model.irq(vcpu, kVtimerIntid);
  if (timer.pending && !timer.active && !timer_asserted()) {
    timer.pending = false;
    mark_dirty();
    PhysicalGic::deactivate(PhysicalGic::kVtimerPpi);
  }
}

}  // namespace

vgic::GicModel& vgic_model() { return g_model; }

void vgic_reset(unsigned vcpus) {
  g_model.reset(vcpus);
  mark_dirty();
  for (auto& cpu : g_lr_intid)
    for (auto& i : cpu) i = kNoIrq;
  g_model.irq(0, kVtimerIntid);  // PPIs are level (model default)
  for (unsigned v = 0; v < vcpus; ++v) g_model.irq(v, kVtimerIntid).hw = true;
}

void vgic_register_mmio(MmioMap& map) {
  (void)map.add(layout::kGuestGicdIpa, vgic::kGicdSize, &g_gicd);
  (void)map.add(layout::kGuestGicrIpa, vgic::kGicrRegionSize, &g_gicr);
}

void vgic_inject(Vm& /*vm*/, unsigned vcpu, uint32_t intid) {
  if (!g_model.valid(intid)) return;
  const unsigned target = g_model.raise(vcpu, intid);
  mark_dirty();
  if (target != this_cpu()) sched_kick(target);
}

void vgic_set_level(Vm& vm, unsigned vcpu, uint32_t intid, bool high) {
  if (!g_model.valid(intid)) return;
  if (high) {
    vgic_inject(vm, vcpu, intid);
    return;
  }
  Irq& q = g_model.irq(vcpu, intid);
  // phys_timer_sync lowers its line before every entry: an idle line going
  // low changes nothing, and marking the model dirty would force the full
  // INTID scan in vgic_flush on every trap round trip.
  if (!q.pending) return;
  q.pending = false;
  mark_dirty();
}

void vgic_cpu_reset() {
  const unsigned cpu = this_cpu();
  mark_dirty();
  for (unsigned i = 0; i < lr_count(); ++i) {
    write_lr(i, 0);
    g_lr_intid[cpu][i] = kNoIrq;
  }
  clear_active_priorities();
  write_sysreg(S3_4_C12_C11_7, 0);          // ICH_VMCR_EL2: groups off, VPMR 0
  write_sysreg(S3_4_C12_C11_0, kIchHcrEn);  // ICH_HCR_EL2
  arch::isb();
}

void vgic_cpu_off() {
  const unsigned cpu = this_cpu();
  mark_dirty();
  for (unsigned i = 0; i < lr_count(); ++i) {
    write_lr(i, 0);
    g_lr_intid[cpu][i] = kNoIrq;
  }
  write_sysreg(S3_4_C12_C11_0, 0);
  write_sysreg(cntv_ctl_el0, 0);
  arch::isb();
  PhysicalGic::deactivate(PhysicalGic::kVtimerPpi);
}

void vgic_sync(unsigned vcpu) {
  const unsigned cpu = this_cpu();
  for (unsigned i = 0; i < lr_count(); ++i) {
    const uint32_t intid = g_lr_intid[cpu][i];
    if (intid == kNoIrq) continue;
    const uint64_t lr = read_lr(i);
    Irq& q = g_model.irq(vcpu, intid);
    if (lr & kLrPending) q.pending = true;
    q.active = (lr & kLrActive) != 0;
    write_lr(i, 0);
    g_lr_intid[cpu][i] = kNoIrq;
    g_dirty[vcpu % vgic::kMaxVcpus] = true;  // its state is back in the model
  }
  resample_vtimer(vcpu);
}

void vgic_flush(unsigned vcpu) {
  const unsigned cpu = this_cpu();
  resample_vtimer(vcpu);
  bool& dirty = g_dirty[vcpu % vgic::kMaxVcpus];
  if (!dirty) return;  // nothing changed since a scan that found nothing to add
  dirty = false;
  // Active interrupts first (their deactivation needs a list register),
  // then pending ones by priority (vhv/common/lr_select.h).
  LrSelection chosen(lr_count());
  for (uint32_t intid = 0; intid < vgic::kIntids; ++intid) {
    const Irq& q = g_model.irq(vcpu, intid);
    // Most INTIDs are idle on most entries: skip them before the full check.
    if (!q.active && !q.pending) continue;
    if (!q.active && !g_model.deliverable(vcpu, intid)) continue;
    chosen.offer(intid, q.active, q.priority);
  }
  for (unsigned i = 0; i < chosen.count(); ++i) {
    const uint32_t intid = chosen.intid(i);
    Irq& q = g_model.irq(vcpu, intid);
    uint64_t lr = intid | (uint64_t(q.priority) << 48) | kLrGroup1;
    if (q.pending) lr |= kLrPending;
    if (q.active) lr |= kLrActive;
    if (q.hw) lr |= kLrHw | (uint64_t(intid) << 32);
    q.pending = false;
    q.active = false;
    write_lr(i, lr);
    g_lr_intid[cpu][i] = intid;
  }
  arch::isb();
}

bool vgic_wakeup_pending(unsigned vcpu) { return g_model.any_deliverable(vcpu); }

void vgic_timer_fired(unsigned vcpu) {
  g_model.irq(vcpu, kVtimerIntid).pending = true;
  mark_dirty();
}

ExitAction vgic_sgi_write(Vm& vm, const ExitInfo& /*exit*/, const SysRegIss& s) {
  if (s.direction == SysRegDirection::Read) {
    vm.ctx().set_reg(s.rt, 0);  // write-only register
    return ExitAction::Advance;
  }
  const unsigned self = this_cpu();
  const uint32_t targets = g_model.send_sgi(self, vm.ctx().reg(s.rt));
  mark_dirty();
  for (unsigned c = 0; c < vgic::kMaxVcpus; ++c)
    if ((targets >> c) & 1 && c != self) sched_kick(c);
  return ExitAction::Advance;
}

}  // namespace nestlab
