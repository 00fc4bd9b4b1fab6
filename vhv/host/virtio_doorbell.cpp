// The highvisor's side of a virtio doorbell: the VM's RAM as a view, the
// queue served by virtio/virtio_service.h, the answer back as a
// VirtioInterrupt frame (protocols.md section 3).
#include <cstring>
#include <string>

#include "vhv/common/layout.h"
#include "vhv/host/console_input.h"
#include "vhv/host/highvisor.h"
#include "vhv/host/virtio/virtio_service.h"

namespace nestlab::vhv {

void Highvisor::on_virtio_notify(const Frame& f) {
  channel::VirtioNotifyPayload d;
  if (f.payload.size() < sizeof d) return;
  std::memcpy(&d, f.payload.data(), sizeof d);
  // A doorbell for a VM that is gone (its VmExit crossed it) has no RAM.
  if (d.vm_id >= layout::kMaxVms || !m_vms[d.vm_id].ram) return;
  // The whole block is the VM's own (its guest RAM is the block's start,
  // rounded up to 2 MiB): a buffer in the tail touches no other VM.
  const MemBlock& block = *m_vms[d.vm_id].ram;
  uint8_t* host = m_ram->at(block.pa, block.size);
  if (!host) return;
  const GuestRamView ram(host, layout::kGuestRamIpa, block.size);
  auto answer = serve_virtio_doorbell(ram, d, m_vms[d.vm_id].virtio);
  if (!answer) return;
  if (!answer->fault.empty())
    log("virtio: VM " + std::to_string(d.vm_id) + " transport " + std::to_string(d.transport) +
        ": " + answer->fault + "; the device needs a reset");
  const std::string frame = encode_frame(channel::FrameType::VirtioInterrupt, &answer->interrupt,
                                         sizeof answer->interrupt);
  if (!write_fully(m_qemu->serial_fd(), frame)) log("virtio: the lowvisor's channel is stuck");
}

}  // namespace nestlab::vhv
