// One virtio-mmio transport's registers, the modern (version 2) layout of
// virtio 1.2 section 4.2.2, split the KVM/vhost way: this model holds the
// registers and the queue configuration; a QueueNotify of a ready queue
// becomes a doorbell for whoever serves the device (the highvisor, which
// walks the rings in guest RAM itself); it answers with used_buffer() or
// needs_reset(). Bulk data never passes through here.
//
// A transport without a device behaves as QEMU's empty ones: magic,
// version and vendor read back, DeviceID and everything else 0, writes
// are ignored (QEMU hw/virtio/virtio-mmio.c, no backend).
#pragma once

#include <cstdint>

#include "vhv/common/channel.h"
#include "vhv/common/virtio.h"

namespace nestlab {

// Where a transport's doorbells and interrupt line go. Not owned.
class VirtioHost {
 public:
  // `doorbell.vm_id` is 0: the VM's glue fills it in.
  virtual void notify(const channel::VirtioNotifyPayload& doorbell) = 0;
  virtual void set_irq_level(unsigned transport, bool high) = 0;

 protected:
  VirtioHost() = default;
  ~VirtioHost() = default;
};

// What a virtio-blk transport shows in its configuration space and
// features (the highvisor holds the disk itself).
struct VirtioBlockConfig {
  uint64_t sectors = 0;  // capacity, 512-byte sectors
  bool read_only = false;
  bool operator==(const VirtioBlockConfig&) const = default;
};

// What a virtio-net transport shows: its MAC address (the highvisor holds
// the port on the lab network).
struct VirtioNetConfig {
  uint8_t mac[6] = {};
  bool operator==(const VirtioNetConfig&) const = default;
};

class VirtioMmioTransport {
 public:
  static constexpr uint64_t kSize = 0x200;
  static constexpr unsigned kMaxQueues = 2;
  // QueueSel takes values below this (QEMU's VIRTIO_QUEUE_MAX); queues past
  // the device's own read QueueNumMax 0.
  static constexpr uint32_t kQueueSelLimit = 1024;

  struct Queue {
    uint16_t num = 0;  // QueueNum; 0 only for a queue the device lacks
    bool ready = false;
    uint64_t desc = 0, driver = 0, device = 0;
    bool operator==(const Queue&) const = default;
  };

  using BlockConfig = VirtioBlockConfig;
  using NetConfig = VirtioNetConfig;

  VirtioMmioTransport() = default;
  VirtioMmioTransport(unsigned index, virtio::DeviceType type, VirtioHost* host,
                      BlockConfig block = {});

  uint64_t read(uint64_t offset, unsigned size) const;
  void write(uint64_t offset, unsigned size, uint64_t value);

  // The highvisor's answers; ignored unless `generation` is this reset's.
  void used_buffer(uint32_t generation);
  void needs_reset(uint32_t generation);

  // Another device behind this transport (a new run's configuration),
  // then reset(): the generation keeps counting, so that answers to an
  // earlier run's doorbells are dropped.
  void reconfigure(virtio::DeviceType type, BlockConfig block = {});
  void reconfigure_net(const NetConfig& net);

  // Status 0: the power-on state; the generation moves on so that answers
  // to doorbells of before are dropped. A virtio-net transport also tells
  // the highvisor (a kNotifyReset doorbell): its receive side delivers
  // without being asked and must forget the old rings.
  void reset();

  virtio::DeviceType type() const { return m_type; }
  unsigned queue_count() const;
  uint16_t queue_num_max() const;
  uint64_t device_features() const;
  uint32_t generation() const { return m_generation; }
  const BlockConfig& block() const { return m_block; }
  const NetConfig& net() const { return m_net; }
  bool irq_level() const { return m_state.isr != 0; }

  // The guest-visible state, for the bank's snapshot (virtio_mmio_bank.cpp).
  struct State {
    uint32_t device_features_sel = 0;
    uint64_t driver_features = 0;
    uint32_t driver_features_sel = 0;
    uint32_t queue_sel = 0;
    uint8_t status = 0;
    uint8_t isr = 0;  // InterruptStatus: kIntUsedBuffer | kIntConfigChange
    Queue queues[kMaxQueues];
    bool operator==(const State&) const = default;
  };
  State state() const;
  // The reset state of this transport (what reset() gives).
  State reset_state() const;
  // Replaces the state (already checked by the caller) and drives the line.
  void set_state(const State& s);

 private:
  Queue* selected();
  const Queue* selected() const;
  void write_status(uint32_t value);
  uint64_t read_config(uint64_t offset, unsigned size) const;
  void update_irq();

  unsigned m_index = 0;
  virtio::DeviceType m_type = virtio::DeviceType::None;
  VirtioHost* m_host = nullptr;  // Not owned; may be null.
  BlockConfig m_block{};         // meaningful for DeviceType::Block only
  NetConfig m_net{};             // meaningful for DeviceType::Net only
  State m_state{};
  uint32_t m_generation = 0;  // resets so far; not guest state, never saved
  bool m_line = false;        // last level told to the host; == irq_level() between calls
};

}  // namespace nestlab
