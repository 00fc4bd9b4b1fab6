#include "vhv/host/virtio/blk_request.h"

#include <algorithm>
#include <cstring>

#include "vhv/common/virtio.h"

namespace nestlab::vhv {
namespace {

constexpr uint32_t kHeaderBytes = 16;
constexpr uint32_t kLegacyBarrier = 0x8000'0000;

BlkKind kind_of(uint32_t type) {
  switch (type & ~(virtio::kBlkTypeOut | kLegacyBarrier)) {
    case virtio::kBlkTypeIn: return (type & virtio::kBlkTypeOut) ? BlkKind::Write : BlkKind::Read;
    case virtio::kBlkTypeFlush: return BlkKind::Flush;
    case virtio::kBlkTypeGetId: return BlkKind::GetId;
    default: return BlkKind::Unsupported;
  }
}

// The bytes [from, from + len) of the buffers of one direction, as buffers.
void slice(const std::vector<Buffer>& chain, bool writable, uint64_t from, uint64_t len,
           std::vector<Buffer>& out) {
  uint64_t at = 0;
  for (const Buffer& b : chain) {
    if (b.device_writable != writable || len == 0) continue;
    const uint64_t end = at + b.len;
    if (end > from) {
      const uint64_t skip = from > at ? from - at : 0;
      const uint64_t take = std::min<uint64_t>(b.len - skip, len);
      out.push_back({b.host + skip, static_cast<uint32_t>(take), writable});
      from += take;
      len -= take;
    }
    at = end;
  }
}

}  // namespace

Result<BlkRequest, QueueFault> parse_blk_request(const std::vector<Buffer>& chain) {
  uint64_t readable = 0, writable = 0;
  for (const Buffer& b : chain) (b.device_writable ? writable : readable) += b.len;
  if (readable < kHeaderBytes || writable < 1 || writable > UINT32_MAX)
    return Err{QueueFault::BadRequest};

  uint8_t header[kHeaderBytes] = {};
  std::vector<Buffer> parts;
  slice(chain, false, 0, kHeaderBytes, parts);
  size_t got = 0;
  for (const Buffer& p : parts) {
    std::memcpy(header + got, p.host, p.len);
    got += p.len;
  }
  BlkRequest r;
  std::memcpy(&r.type, header, 4);  // little-endian guest, little-endian host
  std::memcpy(&r.sector, header + 8, 8);
  r.kind = kind_of(r.type);
  r.writable_len = static_cast<uint32_t>(writable);

  parts.clear();
  slice(chain, true, writable - 1, 1, parts);
  r.status = parts.front().host;
  if (r.kind == BlkKind::Write) {
    r.data_len = readable - kHeaderBytes;
    slice(chain, false, kHeaderBytes, r.data_len, r.data);
  } else {
    r.data_len = writable - 1;
    slice(chain, true, 0, r.data_len, r.data);
  }
  return r;
}

}  // namespace nestlab::vhv
