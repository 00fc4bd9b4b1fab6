// `--net NAME` of `nestlab run` and `nestlab vm run`: the VM gets a
// virtio-net device on the lab network NAME of the VHV's owner, which the
// kernel switches (kernel/net_registry.h) among that owner's VMs on NAME
// and nothing else, as QEMU's `-netdev socket` joins guests to each other
// only. One network device per VM.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace nestlab::cli {

// The one --net word, checked (1 to 32 of A-Z a-z 0-9 . _ -); usage errors
// say what was wrong. Empty `words`: no network (an empty result).
HostResult<std::string> parse_net_option(const std::vector<std::string>& words);

}  // namespace nestlab::cli
