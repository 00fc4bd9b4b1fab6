#include "vhv/host/virtio/virtio_service.h"

#include "vhv/common/virtio.h"
#include "vhv/host/virtio/entropy_device.h"
#include "vhv/host/virtio/split_queue.h"

namespace nestlab::vhv {

std::optional<VirtioAnswer> serve_virtio_doorbell(const GuestRamView& ram,
                                                  const channel::VirtioNotifyPayload& d) {
  VirtioAnswer a{};
  a.interrupt.vm_id = d.vm_id;
  a.interrupt.transport = d.transport;
  a.interrupt.generation = d.generation;
  // The lowvisor only rings for a device it has; anything else is its bug
  // and ignored here.
  if (d.device_type != static_cast<uint32_t>(virtio::DeviceType::Entropy) || d.queue != 0)
    return std::nullopt;
  EntropyDevice rng;
  auto served = serve_split_queue(ram, {d.queue_size, d.desc, d.driver, d.device}, rng);
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
