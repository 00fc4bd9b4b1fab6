#include "vhv/common/virtio_mmio.h"

namespace nestlab {
namespace {

using namespace virtio;

// virtio-rng: one request queue; QueueNumMax as QEMU reads it for a modern
// transport (VIRTQUEUE_MAX_SIZE, hw/virtio/virtio-mmio.c).
constexpr uint16_t kEntropyQueueSize = 1024;
// virtio-blk: one request queue of QEMU's default queue-size, and its
// seg_max (queue size - 2: a request's header and status take two
// descriptors; hw/block/virtio-blk.c virtio_blk_update_config).
constexpr uint16_t kBlockQueueSize = 256;
constexpr uint32_t kBlockSegMax = kBlockQueueSize - 2;
// The configuration fields we fill end with blk_size (5.2.4).
constexpr uint64_t kBlockConfigBytes = kBlkConfigBlkSize + 4;
// virtio-net: a receive and a transmit queue of QEMU's default size
// (rx_queue_size, tx_queue_size 256); the configuration space is the MAC
// (5.1.4: status and the rest exist only with features we do not offer,
// and read 0).
constexpr uint16_t kNetQueueSize = 256;
constexpr uint64_t kNetConfigBytes = 12;

uint32_t low(uint64_t v) { return static_cast<uint32_t>(v); }
uint32_t high(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
uint64_t with_low(uint64_t v, uint32_t lo) { return (v & ~0xffff'ffffull) | lo; }
uint64_t with_high(uint64_t v, uint32_t hi) { return (v & 0xffff'ffffull) | (uint64_t(hi) << 32); }

}  // namespace

VirtioMmioTransport::VirtioMmioTransport(unsigned index, DeviceType type, VirtioHost* host,
                                         BlockConfig block)
    : m_index(index), m_type(type), m_host(host), m_block(block) {
  m_state = reset_state();
}

unsigned VirtioMmioTransport::queue_count() const {
  switch (m_type) {
    case DeviceType::None: return 0;
    case DeviceType::Net: return 2;  // receiveq1, transmitq1 (5.1.2)
    default: return 1;
  }
}

uint16_t VirtioMmioTransport::queue_num_max() const {
  switch (m_type) {
    case DeviceType::Entropy: return kEntropyQueueSize;
    case DeviceType::Block: return kBlockQueueSize;
    case DeviceType::Net: return kNetQueueSize;
    case DeviceType::None: break;
  }
  return 0;
}

// Only the modern interface: no indirect descriptors, no event index, so
// the highvisor's walker has one chain format to check. A disk offers
// what QEMU's virtio-blk does that the highvisor serves: flush (its
// completion means the data is on stable storage), seg_max, blk_size,
// and read-only for a ,ro disk (5.2.3).
uint64_t VirtioMmioTransport::device_features() const {
  switch (m_type) {
    case DeviceType::Entropy: return kFeatureVersion1;
    case DeviceType::Block:
      return kFeatureVersion1 | kBlkFeatureSegMax | kBlkFeatureBlkSize | kBlkFeatureFlush |
             (m_block.read_only ? kBlkFeatureRo : 0);
    // A NIC with a MAC address and nothing else: no checksum offload, no
    // segmentation, no mergeable buffers, no control queue, so every frame
    // is one header and at most an MTU of Ethernet (5.1.3).
    case DeviceType::Net: return kFeatureVersion1 | kNetFeatureMac;
    case DeviceType::None: break;
  }
  return 0;
}

// 5.2.4: capacity (le64), size_max, seg_max, geometry, blk_size; the
// driver reads each field with an access of its own width (4.2.2.2),
// capacity as two 32-bit halves. Fields past blk_size read 0.
uint64_t VirtioMmioTransport::read_config(uint64_t offset, unsigned size) const {
  if (size > 8 || (size & (size - 1)) != 0 || offset % size != 0) return 0;
  if (m_type == DeviceType::Net) {
    // 5.1.4: mac[6] (Linux reads it a byte at a time), then fields of
    // features not offered, which read 0.
    uint8_t bytes[kNetConfigBytes] = {};
    for (unsigned i = 0; i < 6; ++i) bytes[kNetConfigMac + i] = m_net.mac[i];
    uint64_t v = 0;
    for (unsigned i = 0; i < size && offset + i < kNetConfigBytes; ++i)
      v |= uint64_t(bytes[offset + i]) << (8 * i);
    return v;
  }
  if (m_type != DeviceType::Block || offset >= kBlockConfigBytes) return 0;
  uint8_t bytes[kBlockConfigBytes] = {};
  for (unsigned i = 0; i < 8; ++i)
    bytes[kBlkConfigCapacity + i] = static_cast<uint8_t>(m_block.sectors >> (8 * i));
  for (unsigned i = 0; i < 4; ++i) {
    bytes[kBlkConfigSegMax + i] = static_cast<uint8_t>(kBlockSegMax >> (8 * i));
    bytes[kBlkConfigBlkSize + i] = static_cast<uint8_t>(kBlkSectorSize >> (8 * i));
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < size && offset + i < kBlockConfigBytes; ++i)
    v |= uint64_t(bytes[offset + i]) << (8 * i);
  return v;
}

VirtioMmioTransport::State VirtioMmioTransport::reset_state() const {
  State s{};
  for (unsigned q = 0; q < queue_count(); ++q) s.queues[q].num = queue_num_max();
  return s;
}

VirtioMmioTransport::State VirtioMmioTransport::state() const { return m_state; }

void VirtioMmioTransport::set_state(const State& s) {
  m_state = s;
  ++m_generation;  // answers to doorbells before the restore are not for this state
  update_irq();
}

void VirtioMmioTransport::reconfigure(DeviceType type, BlockConfig block) {
  m_type = type;
  m_block = block;
  reset();
}

void VirtioMmioTransport::reconfigure_net(const NetConfig& net) {
  m_type = DeviceType::Net;
  m_net = net;
  reset();
}

void VirtioMmioTransport::reset() {
  m_state = reset_state();
  ++m_generation;
  update_irq();
  if (m_type == DeviceType::Net && m_host) {
    channel::VirtioNotifyPayload d{};
    d.transport = static_cast<uint8_t>(m_index);
    d.queue = kNotifyReset;
    d.generation = m_generation;
    d.device_type = static_cast<uint32_t>(m_type);
    m_host->notify(d);
  }
}

VirtioMmioTransport::Queue* VirtioMmioTransport::selected() {
  return m_state.queue_sel < queue_count() ? &m_state.queues[m_state.queue_sel] : nullptr;
}

const VirtioMmioTransport::Queue* VirtioMmioTransport::selected() const {
  return const_cast<VirtioMmioTransport*>(this)->selected();
}

uint64_t VirtioMmioTransport::read(uint64_t offset, unsigned size) const {
  if (offset >= kRegConfig) return read_config(offset - kRegConfig, size);
  // 4.2.2.2: the driver uses 32-bit aligned accesses for the registers.
  if (size != 4 || (offset & 3) != 0) return 0;
  switch (offset) {
    case kRegMagic: return kMagic;
    case kRegVersion: return kVersionModern;
    case kRegVendorId: return kVendorQemu;
    default: break;
  }
  if (m_type == DeviceType::None) return 0;
  const Queue* q = selected();
  switch (offset) {
    case kRegDeviceId: return static_cast<uint32_t>(m_type);
    case kRegDeviceFeatures:
      return m_state.device_features_sel == 0   ? low(device_features())
             : m_state.device_features_sel == 1 ? high(device_features())
                                                : 0;
    case kRegQueueNumMax: return q ? queue_num_max() : 0;
    case kRegQueueReady: return q && q->ready ? 1 : 0;
    case kRegInterruptStatus: return m_state.isr;
    case kRegStatus: return m_state.status;
    case kRegConfigGeneration: return 0;  // the configuration never changes
    default: return 0;                    // write-only registers read 0, as on QEMU
  }
}

void VirtioMmioTransport::write(uint64_t offset, unsigned size, uint64_t value64) {
  if (m_type == DeviceType::None || size != 4 || (offset & 3) != 0) return;
  const auto value = static_cast<uint32_t>(value64);
  Queue* q = selected();
  switch (offset) {
    case kRegDeviceFeaturesSel: m_state.device_features_sel = value; return;
    case kRegDriverFeatures:
      if (m_state.driver_features_sel == 0)
        m_state.driver_features = with_low(m_state.driver_features, value);
      else if (m_state.driver_features_sel == 1)
        m_state.driver_features = with_high(m_state.driver_features, value);
      return;
    case kRegDriverFeaturesSel: m_state.driver_features_sel = value; return;
    case kRegQueueSel:
      if (value < kQueueSelLimit) m_state.queue_sel = value;
      return;
    case kRegQueueNum:
      if (q && value >= 1 && value <= queue_num_max()) q->num = static_cast<uint16_t>(value);
      return;
    case kRegQueueReady:
      if (q) q->ready = (value & 1) != 0;
      return;
    case kRegQueueDescLow:
      if (q) q->desc = with_low(q->desc, value);
      return;
    case kRegQueueDescHigh:
      if (q) q->desc = with_high(q->desc, value);
      return;
    case kRegQueueDriverLow:
      if (q) q->driver = with_low(q->driver, value);
      return;
    case kRegQueueDriverHigh:
      if (q) q->driver = with_high(q->driver, value);
      return;
    case kRegQueueDeviceLow:
      if (q) q->device = with_low(q->device, value);
      return;
    case kRegQueueDeviceHigh:
      if (q) q->device = with_high(q->device, value);
      return;
    case kRegQueueNotify: {
      // A device serves its queues only once the driver is ready, and a
      // broken device (NEEDS_RESET) not at all until it is reset (QEMU
      // virtio-rng is_guest_ready, virtio_error).
      if (value >= queue_count() || !m_host) return;
      const Queue& n = m_state.queues[value];
      if (!n.ready || (m_state.status & kStatusDriverOk) == 0 ||
          (m_state.status & kStatusNeedsReset) != 0)
        return;
      channel::VirtioNotifyPayload d{};
      d.transport = static_cast<uint8_t>(m_index);
      d.queue = static_cast<uint16_t>(value);
      d.generation = m_generation;
      d.device_type = static_cast<uint32_t>(m_type);
      d.queue_size = n.num;
      d.desc = n.desc;
      d.driver = n.driver;
      d.device = n.device;
      m_host->notify(d);
      return;
    }
    case kRegInterruptAck:
      m_state.isr = static_cast<uint8_t>(m_state.isr & ~value);
      update_irq();
      return;
    case kRegStatus: write_status(value); return;
    default: return;
  }
}

void VirtioMmioTransport::write_status(uint32_t value) {
  // 4.2.2.1: writing 0 resets the device.
  if ((value & 0xff) == 0) {
    reset();
    return;
  }
  // 3.1.1 step 5: the device refuses FEATURES_OK for features it does not
  // offer; QEMU then leaves the status as it was (virtio_set_status).
  if ((value & kStatusFeaturesOk) && !(m_state.status & kStatusFeaturesOk) &&
      (m_state.driver_features & ~device_features()) != 0)
    return;
  // The driver cannot clear NEEDS_RESET but by a reset.
  m_state.status = static_cast<uint8_t>(value | (m_state.status & kStatusNeedsReset));
}

void VirtioMmioTransport::used_buffer(uint32_t generation) {
  if (generation != m_generation || m_type == DeviceType::None) return;
  m_state.isr |= kIntUsedBuffer;
  update_irq();
}

void VirtioMmioTransport::needs_reset(uint32_t generation) {
  if (generation != m_generation || m_type == DeviceType::None) return;
  // 2.1.2: DEVICE_NEEDS_RESET and a configuration change notification.
  m_state.status |= kStatusNeedsReset;
  m_state.isr |= kIntConfigChange;
  update_irq();
}

void VirtioMmioTransport::update_irq() {
  const bool level = irq_level();
  if (level == m_line) return;
  m_line = level;
  if (m_host) m_host->set_irq_level(m_index, level);
}

}  // namespace nestlab
