// The guest VMs of a VHV: VM 0 only for now (the lowvisor runs one guest
// per run). Every VM number from outside, a client's or a highvisor's, is
// checked against this before the kernel makes anything for it (a console
// stream, a log file), so neither can make the kernel hold one per number.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"

namespace nestlab::kernel {

inline constexpr uint64_t kMaxVmId = 0;

inline HostResult<int> check_vm_id(uint64_t vm) {
  if (vm > kMaxVmId)
    return nestlab::make_error(ErrorCode::NotFound,
                               "no VM " + std::to_string(vm) + " (a VHV runs VM 0 only)");
  return static_cast<int>(vm);
}

}  // namespace nestlab::kernel
