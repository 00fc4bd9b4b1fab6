// `--disk FILE[,ro]` of `nestlab run` and `nestlab vm run`, as QEMU's
// `-drive file=FILE,format=raw[,readonly=on] -device virtio-blk-device`:
// each disk is a raw image the CLI opens with the user's own rights
// (read-write, or read-only for ,ro) and passes to the kernel as an fd;
// the kernel checks and locks it. Disks take the virtio-mmio transports
// below the virtio-rng, in command-line order.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "base/error.h"

namespace nestlab::cli {

struct DiskOption {
  std::string path;
  bool read_only = false;
};

inline constexpr size_t kMaxDisks = 8;  // a VM's (BootParams::kMaxDisks)

// Parses every --disk word; usage errors name the bad one.
HostResult<std::vector<DiskOption>> parse_disk_options(const std::vector<std::string>& words);

// Opens each disk; on success `fds` holds one fd per disk (the caller
// closes them) and the result is vm.run's "disks" list, whose fd indices
// start at `first_fd`. On failure nothing stays open.
HostResult<nlohmann::json> open_disks(const std::vector<DiskOption>& disks, size_t first_fd,
                                      std::vector<int>& fds);

}  // namespace nestlab::cli
