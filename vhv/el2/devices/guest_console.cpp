#include "vhv/el2/devices/guest_console.h"

#include "vhv/el2/channel/channel.h"

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

}  // namespace nestlab
