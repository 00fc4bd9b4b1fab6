// The state of one VM's WFE-channel watchdog (S14, wfe_channel.cpp), kept
// in its Vm. All access under sched_lock().
#pragma once

#include <cstdint>

#include "vhv/common/wfe_channel.h"

namespace nestlab {

struct Watchdog {
  bool armed = false;
  uint64_t timeout_ticks = 0;
  uint64_t deadline = 0;  // guest virtual counter value; meaningful while armed
  wfe_channel::Action action = wfe_channel::Action::Report;
};

}  // namespace nestlab
