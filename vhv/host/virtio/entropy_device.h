// virtio-rng (virtio 1.2 section 5.4), the highvisor's half: each chain's
// device-writable buffers are filled from getrandom(2). A chain gets at
// most kMaxPerChain bytes, so one doorbell costs the highvisor a bounded
// amount of work whatever lengths the guest writes (the device may fill
// less than offered: the used length says how much).
#pragma once

#include "vhv/host/virtio/split_queue.h"

namespace nestlab::vhv {

class EntropyDevice final : public ChainHandler {
 public:
  static constexpr uint32_t kMaxPerChain = 64 * 1024;
  Result<uint32_t, QueueFault> serve(const std::vector<Buffer>& chain) override;
};

}  // namespace nestlab::vhv
