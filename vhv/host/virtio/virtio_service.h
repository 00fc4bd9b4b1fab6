// Serves one VirtioNotify doorbell of the lowvisor (channel.h): walks the
// named queue in the VM's guest RAM with the device behind the transport
// (VmVirtioDevices), and says what to answer: nothing (no used buffer, or
// the driver suppressed the interrupt), a used-buffer interrupt, or
// DEVICE_NEEDS_RESET with the reason the queue was refused.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vhv/common/channel.h"
#include "vhv/host/virtio/block_device.h"
#include "vhv/host/virtio/entropy_device.h"
#include "vhv/host/virtio/guest_ram_view.h"
#include "vhv/host/virtio/net_device.h"
#include "vhv/host/virtio/virtio_answer.h"

namespace nestlab::vhv {

// The highvisor's halves of one VM's virtio devices: the virtio-rng and
// the run's disks, disk n on transport VirtioMmioBank::disk_transport(n).
struct VmVirtioDevices {
  EntropyDevice rng;
  std::vector<std::unique_ptr<BlockDevice>> disks;
  // The run's virtio-net device, on VirtioMmioBank::net_transport(disk
  // count); null: none.
  std::unique_ptr<NetDevice> net;
  unsigned net_transport() const;

  // The device a doorbell is for, or nullptr when the lowvisor rang for
  // one this VM lacks (its bug; ignored).
  ChainHandler* device_for(const channel::VirtioNotifyPayload& doorbell);
};

std::optional<VirtioAnswer> serve_virtio_doorbell(const GuestRamView& ram,
                                                  const channel::VirtioNotifyPayload& doorbell,
                                                  VmVirtioDevices& devices);

}  // namespace nestlab::vhv
