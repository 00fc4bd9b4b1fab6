// virtio-net (virtio 1.2 section 5.1), the highvisor's half: the VM's port
// on its lab network is one end of a SOCK_SEQPACKET socket pair whose other
// end nestlabd's switch holds (kernel/net_switch.h); one message is one
// Ethernet frame, without the virtio-net header.
//
// Transmit: a doorbell on the transmit queue sends every chain's frame to
// the port at once (never blocking: a port that cannot take it now drops
// it, as a full NIC ring does; TCP resends). Receive: frames from the port
// go into the receive buffers the guest made available, each used element
// raising the interrupt the driver asked for. The receive rings are the
// ones the last receive doorbell named (Linux kicks the receive queue each
// time it adds buffers); a transport reset (a kNotifyReset doorbell)
// forgets them and the backlog. While the guest has no buffers, up to
// kBacklog frames wait; more are dropped and counted.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "base/unique_fd.h"
#include "vhv/common/channel.h"
#include "vhv/common/net_mac.h"
#include "vhv/host/virtio/guest_ram_view.h"
#include "vhv/host/virtio/net_frames.h"
#include "vhv/host/virtio/split_queue.h"
#include "vhv/host/virtio/virtio_answer.h"

namespace nestlab::vhv {

struct NetCounters {
  uint64_t tx_frames = 0, tx_bytes = 0, tx_dropped = 0;
  uint64_t rx_frames = 0, rx_bytes = 0, rx_dropped = 0;
};

class NetDevice {
 public:
  static constexpr size_t kBacklog = 64;
  // Frames taken from the port per call of on_port_readable: the
  // highvisor's loop serves its other fds in between.
  static constexpr unsigned kReadBurst = 64;

  NetDevice(UniqueFd port, MacAddress mac) : m_port(std::move(port)), m_mac(mac) {}

  // The port to poll for frames; -1 once the lab network is gone.
  int port_fd() const { return m_port_open ? m_port.get() : -1; }
  const MacAddress& mac() const { return m_mac; }
  const NetCounters& counters() const { return m_counters; }

  // A doorbell of this device's transport: transmit, receive (new buffers)
  // or kNotifyReset. The answer to give the lowvisor, if any.
  std::optional<VirtioAnswer> on_doorbell(const GuestRamView& ram,
                                          const channel::VirtioNotifyPayload& doorbell);
  // The port is readable (or hung up): takes up to kReadBurst frames and
  // delivers what the receive buffers hold.
  std::optional<VirtioAnswer> on_port_readable(const GuestRamView& ram);

  // One frame from the port into the backlog (a runt, a giant or a full
  // backlog: dropped and counted); on_port_readable's step, public for
  // tests that have no socket.
  void queue_received(std::span<const uint8_t> frame);
  // Fills as many receive buffers as there are waiting frames.
  std::optional<VirtioAnswer> deliver(const GuestRamView& ram);
  size_t backlog() const { return m_backlog.size(); }

 private:
  std::optional<VirtioAnswer> transmit(const GuestRamView& ram,
                                       const channel::VirtioNotifyPayload& doorbell);
  std::optional<VirtioAnswer> answer(const Result<QueueServed, QueueFault>& served, uint8_t vm_id,
                                     uint8_t transport, uint32_t generation);
  void send_frame(std::span<const uint8_t> frame);

  UniqueFd m_port;
  bool m_port_open = true;
  MacAddress m_mac;
  NetCounters m_counters;
  // The receive rings of the last receive doorbell (with its generation,
  // so that an answer after a reset is dropped by the lowvisor); cleared
  // by a reset doorbell.
  std::optional<channel::VirtioNotifyPayload> m_rx;
  std::deque<std::vector<uint8_t>> m_backlog;  // invariant: size() <= kBacklog
};

}  // namespace nestlab::vhv
