// The highvisor's split-virtqueue walker over arbitrary guest RAM: a
// malformed ring is refused, never read or written outside the RAM (the
// RAM is a heap block of exactly the input's size, so ASan sees any stray
// byte), a doorbell serves at most a queue's worth of chains, and every
// chain is at most a queue's worth of buffers.
//
// Input: queue size (u16), ring offsets into RAM of desc, avail, used (u16
// each, plus the RAM's IPA base), then the RAM itself.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "vhv/host/virtio/split_queue.h"

using namespace nestlab::vhv;

namespace {

class Toucher final : public ChainHandler {
 public:
  explicit Toucher(uint16_t size) : m_size(size) {}
  nestlab::Result<uint32_t, QueueFault> serve(const std::vector<Buffer>& chain) override {
    if (chain.size() > m_size) abort();
    uint32_t written = 0;
    for (const Buffer& b : chain) {
      volatile uint8_t sink = b.host[0];
      sink = b.host[b.len - 1];
      (void)sink;
      if (b.device_writable) {
        std::memset(b.host, 0xa5, b.len < 256 ? b.len : 256);
        b.host[b.len - 1] = 0x5a;
        written += b.len;
      }
    }
    ++chains;
    return written;
  }
  unsigned chains = 0;

 private:
  uint16_t m_size;
};

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kHeader = 8;
  constexpr uint64_t kIpa = 0x4000'0000;
  if (size < kHeader || size - kHeader > (1u << 20)) return 0;
  const size_t ram_size = size - kHeader;
  // Exactly the RAM's bytes on the heap: one past the end is a redzone.
  uint8_t* ram = ram_size ? static_cast<uint8_t*>(std::malloc(ram_size)) : nullptr;
  if (ram_size) std::memcpy(ram, data + kHeader, ram_size);
  const GuestRamView view(ram, kIpa, ram_size);
  const SplitQueueConfig q{u16(data), kIpa + u16(data + 2), kIpa + u16(data + 4),
                           kIpa + u16(data + 6)};
  Toucher t(q.size);
  auto r = serve_split_queue(view, q, t);
  if (t.chains > q.size) abort();
  if (r.is_ok() && r.value().chains != t.chains) abort();
  if (r.is_error() && describe(r.error())[0] == '\0') abort();
  // A second doorbell on whatever the first left behind.
  Toucher again(q.size);
  (void)serve_split_queue(view, q, again);
  std::free(ram);
  return 0;
}
