#include "vhv/host/virtio/net_device.h"

#include <sys/socket.h>

#include <cerrno>
#include <functional>

namespace nestlab::vhv {

using namespace virtio;

namespace {

SplitQueueConfig queue_of(const channel::VirtioNotifyPayload& d) {
  return {d.queue_size, d.desc, d.driver, d.device};
}

// The transmit side: each chain's frame to the port; the used length is 0
// (a transmit chain has nothing for the device to write).
class TxHandler final : public ChainHandler {
 public:
  explicit TxHandler(std::function<void(Result<std::span<const uint8_t>, NetDrop>)> send)
      : m_send(std::move(send)) {}
  Result<uint32_t, QueueFault> serve(const std::vector<Buffer>& chain) override {
    m_send(take_tx_frame(chain, m_frame));
    return 0u;
  }

 private:
  std::function<void(Result<std::span<const uint8_t>, NetDrop>)> m_send;
  FrameBuffer m_frame;
};

// The receive side: the backlog's oldest frame into each chain.
class RxHandler final : public ChainHandler {
 public:
  RxHandler(std::deque<std::vector<uint8_t>>& backlog, NetCounters& counters)
      : m_backlog(backlog), m_counters(counters) {}
  Result<uint32_t, QueueFault> serve(const std::vector<Buffer>& chain) override {
    std::vector<uint8_t> frame = std::move(m_backlog.front());
    m_backlog.pop_front();
    auto put = put_rx_frame(chain, frame);
    if (put.is_error()) {
      // The chain goes back used and empty: Linux counts a length error
      // and reuses it; the frame is lost.
      ++m_counters.rx_dropped;
      return 0u;
    }
    ++m_counters.rx_frames;
    m_counters.rx_bytes += frame.size();
    return put.value();
  }

 private:
  std::deque<std::vector<uint8_t>>& m_backlog;
  NetCounters& m_counters;
};

}  // namespace

std::optional<VirtioAnswer> NetDevice::answer(const Result<QueueServed, QueueFault>& served,
                                              uint8_t vm_id, uint8_t transport,
                                              uint32_t generation) {
  VirtioAnswer a{};
  a.interrupt.vm_id = vm_id;
  a.interrupt.transport = transport;
  a.interrupt.generation = generation;
  if (served.is_error()) {
    a.interrupt.kind = channel::VirtioInterruptKind::NeedsReset;
    a.fault = describe(served.error());
    return a;
  }
  if (!served.value().interrupt) return std::nullopt;
  a.interrupt.kind = channel::VirtioInterruptKind::UsedBuffer;
  return a;
}

std::optional<VirtioAnswer> NetDevice::on_doorbell(const GuestRamView& ram,
                                                   const channel::VirtioNotifyPayload& d) {
  if (d.queue == kNotifyReset) {
    // 2.4: after a reset the device uses none of the old rings.
    m_rx.reset();
    m_backlog.clear();
    return std::nullopt;
  }
  if (d.queue == kNetQueueTx) return transmit(ram, d);
  if (d.queue != kNetQueueRx) return std::nullopt;
  // A new generation is a reset we have not heard of yet (its doorbell
  // crossed this one): what waited was for the old device.
  if (m_rx && m_rx->generation != d.generation) m_backlog.clear();
  m_rx = d;
  return deliver(ram);
}

std::optional<VirtioAnswer> NetDevice::transmit(const GuestRamView& ram,
                                                const channel::VirtioNotifyPayload& d) {
  TxHandler tx([this](Result<std::span<const uint8_t>, NetDrop> frame) {
    if (frame.is_error()) {
      ++m_counters.tx_dropped;
      return;
    }
    send_frame(frame.value());
  });
  return answer(serve_split_queue(ram, queue_of(d), tx), d.vm_id, d.transport, d.generation);
}

void NetDevice::send_frame(std::span<const uint8_t> frame) {
  if (!m_port_open) {
    ++m_counters.tx_dropped;
    return;
  }
  for (;;) {
    ssize_t n = ::send(m_port.get(), frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(frame.size())) {
      ++m_counters.tx_frames;
      m_counters.tx_bytes += frame.size();
      return;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)) m_port_open = false;
    ++m_counters.tx_dropped;
    return;
  }
}

void NetDevice::queue_received(std::span<const uint8_t> frame) {
  if (!frame_size_ok(frame.size())) {
    ++m_counters.rx_dropped;
    return;
  }
  if (m_backlog.size() >= kBacklog) {
    ++m_counters.rx_dropped;
    return;
  }
  m_backlog.emplace_back(frame.begin(), frame.end());
}

std::optional<VirtioAnswer> NetDevice::on_port_readable(const GuestRamView& ram) {
  uint8_t buf[kNetMaxFrame + 1];
  for (unsigned k = 0; k < kReadBurst && m_port_open; ++k) {
    ssize_t n = ::recv(m_port.get(), buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {  // 0: the switch closed its end; else an error
      m_port_open = false;
      break;
    }
    // MSG_TRUNC: n is the frame's real length, so a giant is seen as one.
    queue_received(std::span<const uint8_t>(
        buf, static_cast<size_t>(n) > sizeof buf ? sizeof buf : static_cast<size_t>(n)));
  }
  return deliver(ram);
}

std::optional<VirtioAnswer> NetDevice::deliver(const GuestRamView& ram) {
  if (!m_rx || m_backlog.empty()) return std::nullopt;
  RxHandler rx(m_backlog, m_counters);
  const auto served =
      serve_split_queue(ram, queue_of(*m_rx), rx, static_cast<unsigned>(m_backlog.size()));
  auto a = answer(served, m_rx->vm_id, m_rx->transport, m_rx->generation);
  // A broken receive queue takes no more frames until the driver resets it.
  if (served.is_error()) m_rx.reset();
  return a;
}

}  // namespace nestlab::vhv
