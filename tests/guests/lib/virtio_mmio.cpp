#include "tests/guests/lib/virtio_mmio.h"

#include "tests/guests/lib/guest.h"

namespace guest::virtio {
namespace {

uint32_t rd(uint64_t base, uint64_t reg) {
  return *reinterpret_cast<volatile uint32_t*>(base + reg);
}
void wr(uint64_t base, uint64_t reg, uint32_t v) {
  *reinterpret_cast<volatile uint32_t*>(base + reg) = v;
}

}  // namespace

unsigned find_device(const uint8_t* b, uint32_t device_id, Transport* found) {
  const uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12), size_struct = be32(b + 36);
  uint32_t pos = off_struct;
  bool virtio = false;
  uint64_t reg = 0;
  uint32_t irq[3] = {};
  unsigned transports = 0;
  *found = Transport{};
  while (pos < off_struct + size_struct) {
    const uint32_t token = be32(b + pos);
    pos += 4;
    if (token == 1) {  // FDT_BEGIN_NODE
      virtio = false;
      pos = (pos + static_cast<uint32_t>(length(reinterpret_cast<const char*>(b + pos))) + 4) & ~3u;
    } else if (token == 2) {  // FDT_END_NODE
      if (virtio) {
        ++transports;
        const auto* regs = reinterpret_cast<volatile uint32_t*>(reg);
        if (found->base == 0 && regs[kMagic / 4] == kMagicValue && regs[kDeviceId / 4] == device_id)
          *found = Transport{reg, 32 + irq[1], (irq[2] & 0xf) == 1};
      }
      virtio = false;
    } else if (token == 3) {  // FDT_PROP
      const uint32_t len = be32(b + pos), nameoff = be32(b + pos + 4);
      pos += 8;
      const char* name = reinterpret_cast<const char*>(b + off_strings + nameoff);
      const uint8_t* v = b + pos;
      if (equals(name, "compatible") && equals(reinterpret_cast<const char*>(v), "virtio,mmio"))
        virtio = true;
      else if (equals(name, "reg") && len >= 8)
        reg = uint64_t(be32(v)) << 32 | be32(v + 4);
      else if (equals(name, "interrupts") && len >= 12)
        for (int i = 0; i < 3; ++i) irq[i] = be32(v + 4 * i);
      pos = (pos + len + 3) & ~3u;
    } else if (token != 4) {  // FDT_NOP continues; FDT_END or garbage ends
      break;
    }
  }
  return transports;
}

void set_queue_addresses(uint64_t base, const Rings& rings) {
  const auto desc = reinterpret_cast<uint64_t>(&rings.desc);
  const auto avail = reinterpret_cast<uint64_t>(&rings.avail);
  const auto used = reinterpret_cast<uint64_t>(&rings.used);
  wr(base, kQueueDescLow, static_cast<uint32_t>(desc));
  wr(base, kQueueDescHigh, static_cast<uint32_t>(desc >> 32));
  wr(base, kQueueDriverLow, static_cast<uint32_t>(avail));
  wr(base, kQueueDriverHigh, static_cast<uint32_t>(avail >> 32));
  wr(base, kQueueDeviceLow, static_cast<uint32_t>(used));
  wr(base, kQueueDeviceHigh, static_cast<uint32_t>(used >> 32));
}

void make_available(Rings& rings, uint16_t head) {
  rings.avail.ring[rings.avail.idx % kQueue] = head;
  asm volatile("dmb ish" ::: "memory");  // the ring entry before the index
  rings.avail.idx = static_cast<uint16_t>(rings.avail.idx + 1);
  asm volatile("dmb ish" ::: "memory");  // the index before the notification
}

uint32_t take_interrupt_status(uint64_t base) {
  const uint32_t isr = rd(base, kInterruptStatus);
  wr(base, kInterruptAck, isr);
  return isr;
}

}  // namespace guest::virtio
