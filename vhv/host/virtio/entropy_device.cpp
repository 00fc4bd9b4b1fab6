#include "vhv/host/virtio/entropy_device.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>

namespace nestlab::vhv {

Result<uint32_t, QueueFault> EntropyDevice::serve(const std::vector<Buffer>& chain) {
  uint32_t written = 0;
  for (const Buffer& b : chain) {
    if (!b.device_writable) continue;  // a request carries nothing for us to read
    uint32_t want = std::min(b.len, kMaxPerChain - written);
    uint8_t* p = b.host;
    while (want > 0) {
      // Guest memory, not ours: a fault here would be our bug, and the
      // range was checked against the VM's RAM.
      ssize_t n = getrandom(p, want, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return written;  // report what we have; the driver asks again
      p += n;
      want -= static_cast<uint32_t>(n);
      written += static_cast<uint32_t>(n);
    }
    if (written == kMaxPerChain) break;
  }
  return written;
}

}  // namespace nestlab::vhv
