// The highvisor's walker of a split virtqueue (virtio 1.2 section 2.7) in
// guest RAM. Everything it reads there is untrusted: each ring must lie in
// the VM's RAM, an available index may move at most a queue size ahead of
// the used index, a chain has at most queue-size descriptors (no loops),
// every buffer lies in RAM, is not empty and device-readable buffers come
// first. A queue that breaks one of these is refused as a whole with the
// reason; what was served before stays served (QEMU virtqueue_pop's
// checks, which end in virtio_error: DEVICE_NEEDS_RESET).
//
// The device's position is the used index in guest RAM: the walker keeps
// no state of its own, so a reset or a reboot of the guest needs nothing
// here, and a driver that scribbles on its used ring only confuses itself.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "vhv/host/virtio/guest_ram_view.h"

namespace nestlab::vhv {

struct SplitQueueConfig {
  uint16_t size;  // QueueNum
  uint64_t desc, driver, device;
};

enum class QueueFault : uint8_t {
  BadSize,             // 0 or above 32768 (2.7 "Queue Size")
  RingOutsideRam,      // a ring is not wholly inside guest RAM
  RingMisaligned,      // 2.7 table "Virtqueue Part Alignment"
  AvailTooFarAhead,    // more available entries than the queue holds
  HeadOutOfRange,      // an available ring entry names no descriptor
  NextOutOfRange,      // a descriptor's next names no descriptor
  ChainTooLong,        // more descriptors than the queue has: a loop
  Indirect,            // VIRTIO_F_INDIRECT_DESC was not offered
  BufferOutsideRam,    // a buffer is not wholly inside guest RAM
  EmptyBuffer,         // length 0
  ReadableAfterWrite,  // 2.7.4.2: device-writable descriptors come last
  BadRequest           // the device cannot parse a chain (a request without its header)
};

// A full sentence for the log.
const char* describe(QueueFault f);

struct Buffer {
  uint8_t* host;  // inside guest RAM; the guest may change it at any time
  uint32_t len;
  bool device_writable;
};

// One device's handling of a chain: the bytes it wrote into the chain's
// device-writable buffers (the used element's len), or a chain it cannot
// make sense of, which breaks the queue as a malformed ring does.
class ChainHandler {
 public:
  virtual Result<uint32_t, QueueFault> serve(const std::vector<Buffer>& chain) = 0;

 protected:
  ChainHandler() = default;
  ~ChainHandler() = default;
};

struct QueueServed {
  unsigned chains = 0;     // used elements written
  bool interrupt = false;  // some were, and the driver did not suppress it
};

// Serves every available chain (at most `max_chains`: a device that
// delivers, virtio-net's receive side, takes only the buffers it fills),
// publishes the used index, and says whether the driver wants an interrupt.
Result<QueueServed, QueueFault> serve_split_queue(const GuestRamView& ram,
                                                  const SplitQueueConfig& q, ChainHandler& handler,
                                                  unsigned max_chains = ~0u);

}  // namespace nestlab::vhv
