// The 32 virtio-mmio transports of QEMU virt (0x0A00_0000, 0x200 apart,
// SPI 16 + n) as one device of the contract (device.h). The virtio-rng
// always sits where QEMU puts the first `-device virtio-rng-device` (the
// highest transport, see kEntropyTransport); the run's disks follow it
// downwards, as QEMU places `-device virtio-blk-device` after it
// (configure_disks); the others are empty and read DeviceID 0, so a
// guest probes them as on QEMU.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/boot_params.h"
#include "vhv/common/device.h"
#include "vhv/common/virtio_mmio.h"

namespace nestlab {

class VirtioMmioBank final : public Device {
 public:
  static const DeviceDescriptor kDescriptor;  // virtio_mmio_bank.cpp
  static constexpr unsigned kTransports = 32;
  static constexpr uint64_t kBase = 0x0a00'0000;
  static constexpr uint32_t kFirstSpi = 16;
  // QEMU virt fills transports from the highest address down (hw/arm/virt.c
  // create_virtio_devices: buses are prepended, -device takes the first).
  static constexpr unsigned kEntropyTransport = kTransports - 1;
  // Disk n's transport (n < BootParams::kMaxDisks).
  static constexpr unsigned disk_transport(unsigned n) { return kEntropyTransport - 1 - n; }
  // The virtio-net device's transport: the next below the run's disks,
  // where QEMU puts `-device virtio-net-device` given after them.
  static constexpr unsigned net_transport(unsigned disk_count) {
    return disk_transport(disk_count);
  }

  static constexpr uint32_t kSnapshotMagic = snapshot_magic("VIRT");
  static constexpr uint16_t kSnapshotVersion = 1;
  // Per transport: 4 x u32 + u64 + 2 x u8, then per queue u16 + u8 + 3 x u64.
  static constexpr size_t kQueueRecord = 2 + 1 + 3 * 8;
  static constexpr size_t kTransportRecord =
      4 * 4 + 8 + 2 + VirtioMmioTransport::kMaxQueues * kQueueRecord;
  static constexpr size_t kSnapshotPayload = kTransports * kTransportRecord;

  explicit VirtioMmioBank(const DeviceWiring& w);

  const char* name() const override { return "virtio-mmio"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // This run's disks: which transports are virtio-blk, and their capacity
  // and read-only bit (checked BootParams). The transports are reset.
  void configure_disks(const BootDisk* disks, unsigned count);
  // This run's network device (after configure_disks, on
  // net_transport(disk count)); nullptr: none.
  void configure_net(const BootNet* net, unsigned disk_count);

  VirtioMmioTransport& transport(unsigned n) { return m_transports[n % kTransports]; }
  // The guest's INTID for transport n.
  static constexpr uint32_t intid(unsigned n) { return 32 + kFirstSpi + n; }

  const DeviceDescriptor& descriptor() const override { return kDescriptor; }
  void reset() override;
  size_t snapshot_size() const override { return kSnapshotHeaderBytes + kSnapshotPayload; }
  Result<size_t, SnapshotError> save(uint8_t* out, size_t len) const override;
  Result<void, SnapshotError> restore(const uint8_t* data, size_t len) override;

 private:
  VirtioMmioTransport m_transports[kTransports];
};

}  // namespace nestlab
