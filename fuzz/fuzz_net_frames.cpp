// virtio-net frames over arbitrary chains, and the lab network's switch
// over whatever frames come out. Transmit: a chain without its header is
// refused; an accepted frame is 14..1514 bytes, exactly the readable bytes
// after the 12-byte header, in order. Receive: a frame goes into the
// writable buffers whole (header with num_buffers 1, then the frame) or
// not at all, never past a buffer (each a heap block of exactly its
// length, so ASan sees any stray byte). Switch: a frame never goes back
// to its source port, goes to one port or floods to all others, and the
// MAC table stays within its bound.
//
// Input: a buffer count n (1..16), n pairs (length u8 + 1, flags u8: bit 0
// device-writable, bit 1 which switch port sends), then the bytes the
// buffers start with.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernel/net_switch.h"
#include "vhv/host/virtio/net_frames.h"

using namespace nestlab::vhv;
using nestlab::kernel::NetSwitch;
using nestlab::kernel::PortId;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const unsigned n = data[0] % 16 + 1;
  if (size < 1 + 2 * n) return 0;
  std::vector<Buffer> chain;
  std::vector<uint8_t> readable;  // the readable bytes in order, as the guest gave them
  const uint8_t* bytes = data + 1 + 2 * n;
  size_t left = size - 1 - 2 * n;
  for (unsigned i = 0; i < n; ++i) {
    const uint32_t len = data[1 + 2 * i] + 1u;
    auto* host = static_cast<uint8_t*>(std::malloc(len));
    const size_t fill = left < len ? left : len;
    std::memset(host, 0, len);
    std::memcpy(host, bytes, fill);
    bytes += fill;
    left -= fill;
    const bool writable = (data[2 + 2 * i] & 1) != 0;
    if (!writable) readable.insert(readable.end(), host, host + len);
    chain.push_back({host, len, writable});
  }

  FrameBuffer out;
  auto tx = take_tx_frame(chain, out);
  if (tx.is_ok()) {
    const auto f = tx.value();
    if (!frame_size_ok(f.size())) abort();
    if (readable.size() != nestlab::virtio::kNetHeaderBytes + f.size()) abort();
    if (std::memcmp(f.data(), readable.data() + nestlab::virtio::kNetHeaderBytes, f.size()) != 0)
      abort();
  } else if (tx.error() == NetDrop::NoHeader && readable.size() >= 12) {
    abort();
  }

  // The same bytes as a received frame into the chain's writable buffers.
  std::vector<uint8_t> frame(readable.begin(), readable.end());
  uint64_t room = 0;
  for (const Buffer& b : chain)
    if (b.device_writable) room += b.len;
  auto rx = put_rx_frame(chain, frame);
  if (rx.is_ok()) {
    if (rx.value() != 12 + frame.size() || room < rx.value()) abort();
    std::vector<uint8_t> written;
    for (const Buffer& b : chain)
      if (b.device_writable) written.insert(written.end(), b.host, b.host + b.len);
    if (written[10] != 1 || written[11] != 0) abort();
    if (std::memcmp(written.data() + 12, frame.data(), frame.size()) != 0) abort();
  } else if (frame_size_ok(frame.size()) && room >= 12 + frame.size()) {
    abort();
  }

  // Each buffer's bytes as a frame from port 1 + (flags >> 1 & 3).
  NetSwitch sw;
  for (PortId p = 1; p <= 4; ++p) sw.add_port(p);
  auto now = NetSwitch::Clock::time_point{};
  std::vector<PortId> to;
  for (unsigned i = 0; i < n; ++i) {
    const PortId from = 1 + ((data[2 + 2 * i] >> 1) & 3);
    to.clear();
    now += std::chrono::seconds(data[1 + 2 * i]);
    auto v = sw.route(from, std::span<const uint8_t>(chain[i].host, chain[i].len), now, to);
    for (PortId p : to)
      if (p == from) abort();
    if (v == NetSwitch::Verdict::Forward && to.size() != 1) abort();
    if (v == NetSwitch::Verdict::Flood && to.size() != 3) abort();
    if ((v == NetSwitch::Verdict::BadSize || v == NetSwitch::Verdict::Filtered) && !to.empty())
      abort();
    if (sw.mac_count() > NetSwitch::kMaxMacs) abort();
  }
  for (const Buffer& b : chain) std::free(b.host);
  return 0;
}
