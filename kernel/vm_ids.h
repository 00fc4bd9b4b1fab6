// The guest VMs of a VHV: VM ids are the lowvisor's VM slots, 0 to
// layout::kMaxVms - 1 (issue 13). Every VM number from outside, a client's or
// a highvisor's, is checked against this before the kernel makes anything
// for it (a console stream, a log file), so neither can make the kernel hold
// one per number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"
#include "kernel/vhv_record.h"
#include "vhv/common/layout.h"

namespace nestlab::kernel {

inline constexpr uint64_t kMaxVmId = nestlab::layout::kMaxVms - 1;

inline HostResult<int> check_vm_id(uint64_t vm) {
  if (vm > kMaxVmId)
    return nestlab::make_error(
        ErrorCode::NotFound,
        "no VM " + std::to_string(vm) + " (a VHV has VMs 0 to " + std::to_string(kMaxVmId) + ")");
  return static_cast<int>(vm);
}

// Whether vm.run may add a VM: the slot asked for (if any) is not running
// and, without one, some slot is free (vm_methods.cpp). The highvisor checks
// again; this answers before an image is sent.
HostResult<void> check_vm_room(const VhvRecord& r, std::optional<uint64_t> vm);

}  // namespace nestlab::kernel
