// The highvisor's virtio-blk request parser and device over arbitrary
// chains: a chain without its header or status byte is refused; a parsed
// one's data and status lie inside the chain's own buffers (each a heap
// block of exactly its length, so ASan sees any stray byte), the data is
// as long as the parser says, and the device answers every request with
// a status, never touching a byte outside the chain or the 8-sector disk.
//
// Input: a buffer count n (1..16), n pairs (length u8 + 1, flags u8: bit 0
// device-writable), then the bytes the buffers start with.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "vhv/host/virtio/block_device.h"

using namespace nestlab::vhv;

namespace {

bool inside(const Buffer& part, const std::vector<Buffer>& chain) {
  for (const Buffer& b : chain)
    if (part.host >= b.host && part.len <= b.len && part.host + part.len <= b.host + b.len &&
        part.device_writable == b.device_writable)
      return true;
  return false;
}

int disk_fd() {
  static int fd = [] {
    int f = memfd_create("fuzz-disk", 0);
    if (f < 0 || ftruncate(f, 8 * 512) != 0) abort();
    return f;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const unsigned n = data[0] % 16 + 1;
  if (size < 1 + 2 * n) return 0;
  std::vector<Buffer> chain;
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
    chain.push_back({host, len, (data[2 + 2 * i] & 1) != 0});
  }
  auto parsed = parse_blk_request(chain);
  if (parsed.is_ok()) {
    const BlkRequest& r = parsed.value();
    uint64_t total = 0;
    for (const Buffer& part : r.data) {
      if (!inside(part, chain)) abort();
      total += part.len;
    }
    if (total != r.data_len) abort();
    if (!inside({r.status, 1, true}, chain)) abort();
    BlockDevice disk(nestlab::UniqueFd(dup(disk_fd())), 8, DiskAccess::ReadWrite);
    auto served = disk.serve(chain);
    if (served.is_error() || served.value() != r.writable_len) abort();
    if (*r.status > 2) abort();
  }
  for (const Buffer& b : chain) std::free(b.host);
  return 0;
}
