#include "vhv/el2/devices/guest_console.h"

#include "vhv/el2/channel/channel.h"
#include "vhv/el2/vgic/vgic.h"

namespace nestlab {

void GuestConsole::put(uint8_t byte) {
  m_buf[m_len++] = byte;
  if (byte == '\n' || m_len == kBatch) flush();
}

void GuestConsole::flush() {
  if (m_len == 0) return;
  Channel::send2(channel::FrameType::Console, &m_vm_id, 1, m_buf, m_len);
  m_len = 0;
}

void GuestConsole::set_irq_level(bool high) {
  // The line the PL011's descriptor names, as the guest's device tree does.
  if (m_owner) vgic_set_level(*m_owner, 0, Pl011::kDescriptor.irq.intid(), high);
}

size_t GuestConsole::queue_input(const uint8_t* data, size_t len) {
  size_t n = 0;
  while (n < len && m_in_count < kInput) {
    m_in[(m_in_head + m_in_count) % kInput] = data[n++];
    ++m_in_count;
  }
  return n;
}

int GuestConsole::take() {
  if (m_in_count == 0) return -1;
  const uint8_t b = m_in[m_in_head];
  m_in_head = (m_in_head + 1) % kInput;
  --m_in_count;
  return b;
}

}  // namespace nestlab
