// A virtio-blk request as a chain carries it (virtio 1.2 section 5.2.6):
// a 16-byte device-readable header (type, reserved, sector), the data
// (device-readable for OUT, device-writable for IN and GET_ID) and one
// device-writable status byte at the very end. The chain's buffers are
// guest RAM the guest may change at any time: the header is copied out
// once, and the data and status are only ever pointed at. Any framing is
// accepted (5.2.6.1: no assumption on how the parts are split into
// buffers), as QEMU's virtio_blk_handle_request does.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "vhv/host/virtio/split_queue.h"

namespace nestlab::vhv {

// What the device does with a request. The type is read as QEMU reads it
// (hw/block/virtio-blk.c): the legacy BARRIER bit is ignored and the OUT
// bit makes IN a write, FLUSH and GET_ID stay what they are with it.
enum class BlkKind : uint8_t { Read, Write, Flush, GetId, Unsupported };

struct BlkRequest {
  uint32_t type = 0;
  BlkKind kind = BlkKind::Unsupported;
  uint64_t sector = 0;
  // The data part, cut out of the chain's buffers: readable ones for a
  // write, writable ones (less the status byte) for every other kind.
  std::vector<Buffer> data;
  uint64_t data_len = 0;
  uint8_t* status = nullptr;  // the last device-writable byte
  uint32_t writable_len = 0;  // all device-writable bytes: the used length
};

// Refuses a chain without a whole header or without a status byte, as
// QEMU does ("virtio-blk missing headers": the device needs a reset).
Result<BlkRequest, QueueFault> parse_blk_request(const std::vector<Buffer>& chain);

}  // namespace nestlab::vhv
