// The highvisor's side of a virtio doorbell: the VM's RAM as a view, the
// queue served by virtio/virtio_service.h, the answer back as a
// VirtioInterrupt frame (protocols.md section 3). Frames arriving on a VM's
// lab-network port are delivered here too (virtio/net_device.h).
#include <cstring>
#include <string>

#include "vhv/common/layout.h"
#include "vhv/host/console_input.h"
#include "vhv/host/highvisor.h"
#include "vhv/host/virtio/virtio_service.h"

namespace nestlab::vhv {

std::optional<GuestRamView> Highvisor::guest_ram_view(unsigned vm) const {
  // A doorbell for a VM that is gone (its VmExit crossed it) has no RAM.
  if (vm >= layout::kMaxVms || !m_vms[vm].ram) return std::nullopt;
  // The whole block is the VM's own (its guest RAM is the block's start,
  // rounded up to 2 MiB): a buffer in the tail touches no other VM.
  const MemBlock& block = *m_vms[vm].ram;
  uint8_t* host = m_ram->at(block.pa, block.size);
  if (!host) return std::nullopt;
  return GuestRamView(host, layout::kGuestRamIpa, block.size);
}

void Highvisor::send_virtio_answer(const VirtioAnswer& answer) {
  if (!answer.fault.empty())
    log("virtio: VM " + std::to_string(answer.interrupt.vm_id) + " transport " +
        std::to_string(answer.interrupt.transport) + ": " + answer.fault +
        "; the device needs a reset");
  const std::string frame =
      encode_frame(channel::FrameType::VirtioInterrupt, &answer.interrupt, sizeof answer.interrupt);
  if (!write_fully(m_qemu->serial_fd(), frame)) log("virtio: the lowvisor's channel is stuck");
}

void Highvisor::on_virtio_notify(const Frame& f) {
  channel::VirtioNotifyPayload d;
  if (f.payload.size() < sizeof d) return;
  std::memcpy(&d, f.payload.data(), sizeof d);
  auto ram = guest_ram_view(d.vm_id);
  if (!ram) return;
  auto answer = serve_virtio_doorbell(*ram, d, m_vms[d.vm_id].virtio);
  if (answer) send_virtio_answer(*answer);
}

void Highvisor::on_net_port(unsigned vm) {
  NetDevice* net = vm < layout::kMaxVms ? m_vms[vm].virtio.net.get() : nullptr;
  auto ram = guest_ram_view(vm);
  if (!net || !ram) return;
  auto answer = net->on_port_readable(*ram);
  if (answer) send_virtio_answer(*answer);
}

}  // namespace nestlab::vhv
