// What the test guests' virtio drivers share: the virtio-mmio register
// offsets and status bits (virtio 1.2 section 4.2.2, 2.1), a 4-entry split
// virtqueue (2.7), and the device-tree walk that finds a device's transport.
#pragma once

#include <cstdint>

namespace guest::virtio {

constexpr uint64_t kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kDeviceFeatures = 0x010,
                   kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024,
                   kQueueSel = 0x030, kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044,
                   kQueueNotify = 0x050, kInterruptStatus = 0x060, kInterruptAck = 0x064,
                   kStatus = 0x070, kQueueDescLow = 0x080, kQueueDescHigh = 0x084,
                   kQueueDriverLow = 0x090, kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0,
                   kQueueDeviceHigh = 0x0a4, kConfig = 0x100;
constexpr uint32_t kMagicValue = 0x74726976;  // "virt"
constexpr uint32_t kAck = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8, kNeedsReset = 0x40;
constexpr uint16_t kDescNext = 1, kDescWrite = 2;
constexpr unsigned kQueue = 4;

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
struct alignas(16) Rings {
  Desc desc[kQueue];
  struct {
    uint16_t flags, idx, ring[kQueue];
  } avail;
  alignas(4) struct {
    uint16_t flags, idx;
    struct {
      uint32_t id, len;
    } ring[kQueue];
  } used;
};

struct Transport {
  uint64_t base = 0;
  uint32_t intid = 0;  // 32 + the node's SPI
  bool edge = true;    // its trigger, from the interrupts cell
};

// Every "virtio,mmio" node of the flattened tree at `dtb`, in tree order:
// the first whose transport holds a device of type `device_id` goes into
// `*found` (its base is 0 when none does). Returns how many there are.
unsigned find_device(const uint8_t* dtb, uint32_t device_id, Transport* found);

// The queue registers of the selected queue of the transport at `base`
// point at `rings` (4.2.3.2 step 5).
void set_queue_addresses(uint64_t base, const Rings& rings);
// Makes descriptor chain `head` available (2.7.13: the ring entry before
// the index); the caller notifies the device after.
void make_available(Rings& rings, uint16_t head);
// Reads InterruptStatus and acknowledges what it read (4.2.3.3).
uint32_t take_interrupt_status(uint64_t base);

}  // namespace guest::virtio
