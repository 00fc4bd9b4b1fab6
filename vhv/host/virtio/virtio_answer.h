// What the highvisor answers the lowvisor for one transport: a used-buffer
// interrupt, or DEVICE_NEEDS_RESET with the reason (virtio_service.h).
#pragma once

#include <string>

#include "vhv/common/channel.h"

namespace nestlab::vhv {

struct VirtioAnswer {
  channel::VirtioInterruptPayload interrupt;
  std::string fault;  // set with NeedsReset: a full sentence
};

}  // namespace nestlab::vhv
