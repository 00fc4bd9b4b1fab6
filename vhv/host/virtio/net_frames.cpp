#include "vhv/host/virtio/net_frames.h"

#include <algorithm>
#include <cstring>

namespace nestlab::vhv {

using namespace virtio;

const char* describe(NetDrop d) {
  switch (d) {
    case NetDrop::NoHeader: return "a transmit chain is shorter than the virtio-net header";
    case NetDrop::Runt: return "a frame is shorter than an Ethernet header";
    case NetDrop::Giant: return "a frame is longer than 1514 bytes (MTU 1500)";
    case NetDrop::NoRoom: return "a receive chain is too small for the frame";
    case NetDrop::NoBuffers: return "the guest has no receive buffers and the backlog is full";
    case NetDrop::PortFull: return "the lab network did not take the frame";
    case NetDrop::PortClosed: return "the lab network is gone";
  }
  return "dropped";
}

Result<std::span<const uint8_t>, NetDrop> take_tx_frame(const std::vector<Buffer>& chain,
                                                        FrameBuffer& out) {
  // Bytes of the readable buffers in order: the first kNetHeaderBytes are
  // the header (skipped), the rest the frame.
  uint64_t seen = 0;
  size_t len = 0;
  for (const Buffer& b : chain) {
    if (b.device_writable) continue;
    uint32_t skip = 0;
    if (seen < kNetHeaderBytes)
      skip = static_cast<uint32_t>(std::min<uint64_t>(b.len, kNetHeaderBytes - seen));
    seen += b.len;
    const uint32_t take = b.len - skip;
    if (take == 0) continue;
    if (take > out.size() - len) return Err{NetDrop::Giant};
    std::memcpy(out.data() + len, b.host + skip, take);
    len += take;
  }
  if (seen < kNetHeaderBytes) return Err{NetDrop::NoHeader};
  if (len < kNetMinFrame) return Err{NetDrop::Runt};
  return std::span<const uint8_t>(out.data(), len);
}

Result<uint32_t, NetDrop> put_rx_frame(const std::vector<Buffer>& chain,
                                       std::span<const uint8_t> frame) {
  if (frame.size() < kNetMinFrame) return Err{NetDrop::Runt};
  if (frame.size() > kNetMaxFrame) return Err{NetDrop::Giant};
  uint64_t room = 0;
  for (const Buffer& b : chain)
    if (b.device_writable) room += b.len;
  const uint64_t total = kNetHeaderBytes + frame.size();
  if (room < total) return Err{NetDrop::NoRoom};
  // 5.1.6.4: flags 0 (no checksum to complete), gso_type NONE, num_buffers 1.
  uint8_t header[kNetHeaderBytes] = {};
  header[10] = 1;
  uint64_t done = 0;
  for (const Buffer& b : chain) {
    if (!b.device_writable || done == total) continue;
    const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(b.len, total - done));
    for (uint32_t i = 0; i < n;) {
      const uint64_t at = done + i;
      if (at < kNetHeaderBytes) {
        const uint32_t k = static_cast<uint32_t>(std::min<uint64_t>(n - i, kNetHeaderBytes - at));
        std::memcpy(b.host + i, header + at, k);
        i += k;
      } else {
        const uint32_t k = n - i;
        std::memcpy(b.host + i, frame.data() + (at - kNetHeaderBytes), k);
        i += k;
      }
    }
    done += n;
  }
  return static_cast<uint32_t>(total);
}

}  // namespace nestlab::vhv
