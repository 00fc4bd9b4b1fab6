// S10: vm.run's "tick_policy" (protocols.md "Pause and resume").
#pragma once

#include <string>

#include "base/error.h"
#include "kernel/json_bounds.h"

namespace nestlab::kernel {

inline HostResult<std::string> check_tick_policy(const std::string& policy) {
  if (policy == "none" || policy == "skip" || policy == "accelerated") return policy;
  return nestlab::make_error(
      ErrorCode::InvalidArgument,
      "tick_policy must be \"none\", \"skip\" or \"accelerated\", not " + text_preview(policy));
}

}  // namespace nestlab::kernel
