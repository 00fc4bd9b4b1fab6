// virtio-net frames (virtio 1.2 section 5.1.6) as the highvisor sees them:
// every buffer a guest gives is untrusted. A transmit chain is the 12-byte
// virtio_net_hdr (VERSION_1: num_buffers always present) and one Ethernet
// frame, in any framing over its device-readable buffers; the header is
// dropped here and never reaches the lab network. A receive chain gets a
// header with num_buffers = 1 (no mergeable buffers were offered) and the
// frame, in its device-writable buffers.
//
// Frames are 14 (an Ethernet header) to 1514 bytes (MTU 1500): anything
// else is dropped and counted, as a NIC drops a runt or a giant.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "vhv/common/virtio.h"
#include "vhv/host/virtio/split_queue.h"

namespace nestlab::vhv {

enum class NetDrop : uint8_t {
  NoHeader,    // a transmit chain shorter than the virtio-net header
  Runt,        // less than an Ethernet header
  Giant,       // more than an MTU of payload (or more than a chain can take)
  NoRoom,      // a receive chain too small for the header and the frame
  NoBuffers,   // the guest gave no receive buffers and the backlog is full
  PortFull,    // the lab network's port did not take the frame now
  PortClosed,  // the lab network is gone (nestlabd went away)
};

const char* describe(NetDrop d);

using FrameBuffer = std::array<uint8_t, virtio::kNetMaxFrame>;

inline bool frame_size_ok(size_t len) {
  return len >= virtio::kNetMinFrame && len <= virtio::kNetMaxFrame;
}

// The Ethernet frame of a transmit chain, copied into `out` (the guest may
// change its buffers while we read them: the copy is what is sent).
// Device-writable buffers of a transmit chain are ignored, as QEMU does.
Result<std::span<const uint8_t>, NetDrop> take_tx_frame(const std::vector<Buffer>& chain,
                                                        FrameBuffer& out);

// Writes the header and `frame` into the chain's device-writable buffers;
// the used length (header + frame).
Result<uint32_t, NetDrop> put_rx_frame(const std::vector<Buffer>& chain,
                                       std::span<const uint8_t> frame);

}  // namespace nestlab::vhv
