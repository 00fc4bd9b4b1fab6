#include "vhv/host/virtio/virtio_service.h"

#include "vhv/common/virtio.h"
#include "vhv/common/virtio_mmio_bank.h"
#include "vhv/host/virtio/split_queue.h"

namespace nestlab::vhv {

unsigned VmVirtioDevices::net_transport() const {
  return VirtioMmioBank::net_transport(static_cast<unsigned>(disks.size()));
}

ChainHandler* VmVirtioDevices::device_for(const channel::VirtioNotifyPayload& d) {
  if (d.queue != 0) return nullptr;  // each of our devices has one queue
  if (d.device_type == static_cast<uint32_t>(virtio::DeviceType::Entropy))
    return d.transport == VirtioMmioBank::kEntropyTransport ? &rng : nullptr;
  if (d.device_type != static_cast<uint32_t>(virtio::DeviceType::Block)) return nullptr;
  for (size_t n = 0; n < disks.size(); ++n)
    if (d.transport == VirtioMmioBank::disk_transport(static_cast<unsigned>(n)))
      return disks[n].get();
  return nullptr;
}

std::optional<VirtioAnswer> serve_virtio_doorbell(const GuestRamView& ram,
                                                  const channel::VirtioNotifyPayload& d,
                                                  VmVirtioDevices& devices) {
  if (d.device_type == static_cast<uint32_t>(virtio::DeviceType::Net)) {
    if (!devices.net || d.transport != devices.net_transport()) return std::nullopt;
    return devices.net->on_doorbell(ram, d);
  }
  if (d.queue == virtio::kNotifyReset) return std::nullopt;  // the others keep no rings
  VirtioAnswer a{};
  a.interrupt.vm_id = d.vm_id;
  a.interrupt.transport = d.transport;
  a.interrupt.generation = d.generation;
  ChainHandler* device = devices.device_for(d);
  if (!device) return std::nullopt;
  auto served = serve_split_queue(ram, {d.queue_size, d.desc, d.driver, d.device}, *device);
  if (served.is_error()) {
    a.interrupt.kind = channel::VirtioInterruptKind::NeedsReset;
    a.fault = describe(served.error());
    return a;
  }
  if (!served.value().interrupt) return std::nullopt;
  a.interrupt.kind = channel::VirtioInterruptKind::UsedBuffer;
  return a;
}

}  // namespace nestlab::vhv
