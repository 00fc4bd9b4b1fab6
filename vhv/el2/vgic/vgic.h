// The guest's virtual GICv3 (one VM per VHV): the distributor and
// redistributor model (vhv/common/vgic_model.h) behind stage-2 traps, and
// the hardware's virtual CPU interface (ICH_*_EL2, IHI 0069 12.4) fed from
// the model through the list registers before every entry to the guest.
// All calls with sched_lock() held.
#pragma once

#include <cstdint>

#include "vhv/common/mmio_map.h"
#include "vhv/common/vgic_model.h"

namespace nestlab {

class Vm;

// A new VM (or a reboot): every interrupt off, `vcpus` redistributors.
void vgic_reset(unsigned vcpus);
// Registers the GICD and GICR frames in the VM's MMIO map.
void vgic_register_mmio(MmioMap& map);
vgic::GicModel& vgic_model();

// The injection API for devices and services: makes `intid` pending (an
// SPI goes where GICD_IROUTER sends it; an SGI/PPI to `vcpu`) and kicks
// the CPU of the vCPU that should take it.
void vgic_inject(Vm& vm, unsigned vcpu, uint32_t intid);
// Level-sensitive sources (a device's interrupt line): pending follows the
// line while it is high; lowering it withdraws a not yet taken interrupt.
void vgic_set_level(Vm& vm, unsigned vcpu, uint32_t intid, bool high);

// This CPU's virtual CPU interface for `vcpu`: on at vCPU reset, off (and
// the physical timer interrupt released) when the VM stops.
void vgic_cpu_reset();
void vgic_cpu_off();
// Model -> list registers (before entering), list registers -> model
// (after every exit).
void vgic_flush(unsigned vcpu);
void vgic_sync(unsigned vcpu);
// Something the vCPU should wake up for (WFI).
bool vgic_wakeup_pending(unsigned vcpu);

// The physical virtual-timer PPI fired on this CPU: its priority has been
// dropped, it stays active until the guest deactivates the virtual one
// through a hardware list register (ICH_LR.HW).
void vgic_timer_fired(unsigned vcpu);

}  // namespace nestlab
