// The lowvisor's half of the split virtio devices: a transport's
// QueueNotify goes to the highvisor as a VirtioNotify frame (the doorbell;
// the highvisor walks the rings in guest RAM itself), and a transport's
// interrupt line reaches the guest through the virtual GIC as the SPI its
// device-tree node names. The highvisor's VirtioInterrupt answer comes
// back through Lowvisor::on_frame. Called with sched_lock() held, as every
// device (MMIO traps and the IRQ exit path).
#pragma once

#include <cstdint>

#include "vhv/common/virtio_mmio.h"

namespace nestlab {

class Vm;

class VirtioDoorbell final : public VirtioHost {
 public:
  void set_owner(Vm* vm) { m_owner = vm; }
  void notify(const channel::VirtioNotifyPayload& doorbell) override;
  void set_irq_level(unsigned transport, bool high) override;
  // A VirtioInterrupt frame from the highvisor for this VM.
  void on_interrupt(const channel::VirtioInterruptPayload& answer);

 private:
  Vm* m_owner = nullptr;  // Not owned: the VM whose transports these are.
};

}  // namespace nestlab
