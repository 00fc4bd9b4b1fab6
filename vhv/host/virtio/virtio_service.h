// Serves one VirtioNotify doorbell of the lowvisor (channel.h): finds the
// VM's guest RAM, walks the named queue with the device behind the
// transport, and says what to answer: nothing (no used buffer, or the
// driver suppressed the interrupt), a used-buffer interrupt, or
// DEVICE_NEEDS_RESET with the reason the queue was refused.
#pragma once

#include <optional>
#include <string>

#include "vhv/common/channel.h"
#include "vhv/host/virtio/guest_ram_view.h"

namespace nestlab::vhv {

struct VirtioAnswer {
  channel::VirtioInterruptPayload interrupt;
  std::string fault;  // set with NeedsReset: a full sentence
};

std::optional<VirtioAnswer> serve_virtio_doorbell(const GuestRamView& ram,
                                                  const channel::VirtioNotifyPayload& doorbell);

}  // namespace nestlab::vhv
