#include "vhv/el2/devices/virtio_doorbell.h"

#include "vhv/el2/channel/channel.h"
#include "vhv/el2/vgic/vgic.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

void VirtioDoorbell::notify(const channel::VirtioNotifyPayload& doorbell) {
  if (!m_owner) return;
  channel::VirtioNotifyPayload d = doorbell;
  d.vm_id = m_owner->id();
  Channel::send(channel::FrameType::VirtioNotify, &d, sizeof(d));
}

void VirtioDoorbell::set_irq_level(unsigned transport, bool high) {
  if (m_owner) vgic_set_level(*m_owner, 0, VirtioMmioBank::intid(transport), high);
}

void VirtioDoorbell::on_interrupt(const channel::VirtioInterruptPayload& answer) {
  if (!m_owner || answer.transport >= VirtioMmioBank::kTransports) return;
  VirtioMmioTransport& t = m_owner->devices().virtio().transport(answer.transport);
  switch (answer.kind) {
    case channel::VirtioInterruptKind::UsedBuffer: t.used_buffer(answer.generation); return;
    case channel::VirtioInterruptKind::NeedsReset: t.needs_reset(answer.generation); return;
  }
}

}  // namespace nestlab
