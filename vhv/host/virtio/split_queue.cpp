#include "vhv/host/virtio/split_queue.h"

#include <atomic>
#include <cstring>

#include "vhv/common/virtio.h"

namespace nestlab::vhv {
namespace {

constexpr uint32_t kMaxQueueSize = 32768;

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(Desc) == 16);

// The guest writes these rings concurrently from its vCPUs: every field
// is read once into a local copy and checked there, never re-read.
uint16_t load_u16(const uint8_t* p) {
  return __atomic_load_n(reinterpret_cast<const uint16_t*>(p), __ATOMIC_ACQUIRE);
}

struct Rings {
  uint8_t* desc;
  uint8_t* avail;  // flags, idx, ring[size]
  uint8_t* used;   // flags, idx, ring[size] of {id, len}
};

Result<Rings, QueueFault> map_rings(const GuestRamView& ram, const SplitQueueConfig& q) {
  if (q.size == 0 || q.size > kMaxQueueSize) return Err{QueueFault::BadSize};
  if (q.desc % 16 != 0 || q.driver % 2 != 0 || q.device % 4 != 0)
    return Err{QueueFault::RingMisaligned};
  Rings r{ram.at(q.desc, 16ull * q.size), ram.at(q.driver, 4 + 2ull * q.size),
          ram.at(q.device, 4 + 8ull * q.size)};
  if (!r.desc || !r.avail || !r.used) return Err{QueueFault::RingOutsideRam};
  return r;
}

Result<void, QueueFault> read_chain(const GuestRamView& ram, const SplitQueueConfig& q,
                                    const Rings& r, uint16_t head, std::vector<Buffer>& chain) {
  chain.clear();
  if (head >= q.size) return Err{QueueFault::HeadOutOfRange};
  uint16_t i = head;
  bool seen_writable = false;
  for (unsigned n = 0;; ++n) {
    if (n >= q.size) return Err{QueueFault::ChainTooLong};
    Desc d;
    std::memcpy(&d, r.desc + 16ull * i, sizeof d);
    if (d.flags & virtio::kDescIndirect) return Err{QueueFault::Indirect};
    if (d.len == 0) return Err{QueueFault::EmptyBuffer};
    uint8_t* host = ram.at(d.addr, d.len);
    if (!host) return Err{QueueFault::BufferOutsideRam};
    const bool writable = (d.flags & virtio::kDescWrite) != 0;
    if (seen_writable && !writable) return Err{QueueFault::ReadableAfterWrite};
    seen_writable = seen_writable || writable;
    chain.push_back({host, d.len, writable});
    if (!(d.flags & virtio::kDescNext)) return {};
    if (d.next >= q.size) return Err{QueueFault::NextOutOfRange};
    i = d.next;
  }
}

}  // namespace

const char* describe(QueueFault f) {
  switch (f) {
    case QueueFault::BadSize: return "the queue size is 0 or larger than 32768";
    case QueueFault::RingOutsideRam: return "a ring of the queue is not inside guest RAM";
    case QueueFault::RingMisaligned: return "a ring of the queue is misaligned";
    case QueueFault::AvailTooFarAhead:
      return "the available index is more than the queue size ahead of the used index";
    case QueueFault::HeadOutOfRange: return "an available ring entry names no descriptor";
    case QueueFault::NextOutOfRange: return "a descriptor's next field names no descriptor";
    case QueueFault::ChainTooLong: return "a descriptor chain is longer than the queue (a loop)";
    case QueueFault::Indirect: return "an indirect descriptor was used but never offered";
    case QueueFault::BufferOutsideRam: return "a buffer is not inside guest RAM";
    case QueueFault::EmptyBuffer: return "a buffer has length 0";
    case QueueFault::ReadableAfterWrite:
      return "a device-readable buffer follows a device-writable one";
    case QueueFault::BadRequest: return "a request lacks its header or its status byte";
  }
  return "the queue is malformed";
}

Result<QueueServed, QueueFault> serve_split_queue(const GuestRamView& ram,
                                                  const SplitQueueConfig& q, ChainHandler& handler,
                                                  unsigned max_chains) {
  const Rings r = TRY(map_rings(ram, q));
  uint16_t used_idx = load_u16(r.used + 2);
  const uint16_t avail_idx = load_u16(r.avail + 2);
  const uint16_t pending = static_cast<uint16_t>(avail_idx - used_idx);
  if (pending > q.size) return Err{QueueFault::AvailTooFarAhead};
  QueueServed served;
  std::vector<Buffer> chain;
  chain.reserve(q.size);
  auto publish = [&] {
    __atomic_store_n(reinterpret_cast<uint16_t*>(r.used + 2), used_idx, __ATOMIC_RELEASE);
  };
  for (uint16_t k = 0; k < pending && k < max_chains; ++k) {
    const uint16_t head = load_u16(r.avail + 4 + 2ull * (used_idx % q.size));
    auto walked = read_chain(ram, q, r, head, chain);
    if (walked.is_error()) {
      publish();  // what was served stays served
      return Err{walked.error()};
    }
    auto handled = handler.serve(chain);
    if (handled.is_error()) {
      publish();
      return Err{handled.error()};
    }
    const uint32_t written = handled.value();
    const uint32_t elem[2] = {head, written};
    std::memcpy(r.used + 4 + 8ull * (used_idx % q.size), elem, sizeof elem);
    ++used_idx;
    ++served.chains;
  }
  publish();
  // 2.7.7: without VIRTIO_F_EVENT_IDX the driver suppresses interrupts with
  // the available ring's flags, read after the used index is published.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  served.interrupt = served.chains > 0 && !(load_u16(r.avail) & virtio::kAvailNoInterrupt);
  return served;
}

}  // namespace nestlab::vhv
