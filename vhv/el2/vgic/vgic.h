// A guest VM's virtual GICv3: the distributor and
// redistributor model (vhv/common/vgic_model.h) behind stage-2 traps, and
// the hardware's virtual CPU interface (ICH_*_EL2, IHI 0069 12.4) fed from
// the model through the list registers before every entry to the guest.
// All calls with sched_lock() held.
#pragma once

#include <cstdint>

#include "vhv/common/gic_frames.h"
#include "vhv/common/lr_select.h"
#include "vhv/common/vcpu_state.h"
#include "vhv/common/vgic_model.h"
#include "vhv/el2/boot/smp.h"

namespace nestlab {

class Vm;

// One VM's virtual GIC (kept in its Vm): the distributor/redistributor
// model, which INTID each list register of each vCPU holds, and which
// vCPUs may have something new to deliver. The model's two MMIO frames
// are devices of the VM (vhv/common/gic_frames.h, registered in
// guest_devices.h); they tell this object about writes.
class Vgic final : public GicObserver {
 public:
  explicit Vgic(Vm* vm) : m_vm(vm) {}
  Vgic(const Vgic&) = delete;
  Vgic& operator=(const Vgic&) = delete;

  vgic::GicModel& model() { return m_model; }
  // Every change to the model marks all vCPUs (conservatively); vgic_flush
  // clears a vCPU's mark after a scan that found nothing more to add.
  void mark_dirty() {
    for (bool& d : m_dirty) d = true;
  }
  bool& dirty(unsigned vcpu) { return m_dirty[vcpu % vgic::kMaxVcpus]; }
  // The INTID list register `lr` of `cpu` holds (kNoIrq: none).
  uint32_t& lr_intid(unsigned cpu, unsigned lr) {
    return m_lr_intid[cpu % kMaxCpus][lr % kMaxListRegisters];
  }
  static constexpr uint32_t kNoIrq = ~0u;

  // GicObserver: mark the model dirty and kick the vCPUs concerned.
  void distributor_written() override;
  void redistributor_written(unsigned vcpu) override;
  void state_replaced() override { mark_dirty(); }

 private:
  Vm* m_vm;  // Not owned: the VM this vGIC belongs to.
  vgic::GicModel m_model;
  uint32_t m_lr_intid[kMaxCpus][kMaxListRegisters] = {};
  bool m_dirty[vgic::kMaxVcpus] = {};
};

// A new VM (or a reboot): every interrupt off, `vcpus` redistributors.
void vgic_reset(Vm& vm, unsigned vcpus);

// The injection API for devices and services: makes `intid` pending (an
// SPI goes where GICD_IROUTER sends it; an SGI/PPI to `vcpu`) and kicks
// the CPU of the vCPU that should take it.
void vgic_inject(Vm& vm, unsigned vcpu, uint32_t intid);
// Level-sensitive sources (a device's interrupt line): pending follows the
// line while it is high; lowering it withdraws a not yet taken interrupt.
void vgic_set_level(Vm& vm, unsigned vcpu, uint32_t intid, bool high);

// This CPU's virtual CPU interface for `vcpu`: on at vCPU reset, off (and
// the physical timer interrupt released) when the VM stops.
void vgic_cpu_reset(Vm& vm);
void vgic_cpu_off(Vm& vm);
// Model -> list registers (before entering), list registers -> model
// (after every exit).
void vgic_flush(Vm& vm, unsigned vcpu);
void vgic_sync(Vm& vm, unsigned vcpu);
// This CPU's GIC virtual CPU interface (ICH_VMCR, ICH_AP0R/AP1R<n>, every
// implemented list register) into a vCPU state; the number of list
// registers into *lrs. Before vgic_cpu_off, which clears them.
void vgic_capture(VcpuState::Gic* out, uint32_t* lrs);
// The reverse on the CPU that runs vCPU `vcpu` next: its virtual CPU
// interface from `in`, list registers empty (the model holds the
// interrupts and vgic_flush fills them before the entry).
void vgic_restore(Vm& vm, unsigned vcpu, const VcpuState::Gic& in);
// Something the vCPU should wake up for (WFI).
bool vgic_wakeup_pending(Vm& vm, unsigned vcpu);

// The physical virtual-timer PPI fired on this CPU: its priority has been
// dropped, it stays active until the guest deactivates the virtual one
// through a hardware list register (ICH_LR.HW).
void vgic_timer_fired(Vm& vm, unsigned vcpu);

}  // namespace nestlab
