// VHV names: user-chosen ones are checked here. A name becomes a hostname, a
// cgroup path component and a CLI argument, so the alphabet is small.
#pragma once

#include <string>

#include "base/error.h"

namespace nestlab::kernel {

// [a-z0-9][a-z0-9-]{0,31}
HostResult<void> validate_vhv_name(const std::string& name);

}  // namespace nestlab::kernel
