// What a resource group has used, read from its cgroup files: CPU time,
// memory now and at peak against its limit, how often the limit was hit and
// how many OOM kills it had, PIDs. One reader for cgroup v1 (a hierarchy
// per controller, this project's hosts) and v2 (unified), because the same
// figures live in differently named files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab::userworld {

enum class CgroupVersion { V1, V2 };

struct CgroupUsage {
  uint64_t cpu_ns = 0;
  uint64_t memory_current = 0;
  uint64_t memory_peak = 0;
  std::optional<uint64_t> memory_limit;  // none: unlimited
  uint64_t memory_limit_hits = 0;        // v1 memory.failcnt, v2 memory.events "max"
  uint64_t oom_kills = 0;                // memory.oom_control / memory.events "oom_kill"
  uint64_t pids_current = 0;
  std::optional<uint64_t> pids_limit;  // none: unlimited
};

// "123\n" → 123; "max" (v2) or v1's "unlimited" page-counter value → none.
std::optional<uint64_t> parse_limit(std::string_view text);
// The value of `key` in "key value" lines (cpu.stat, memory.events, ...).
std::optional<uint64_t> parse_keyed(std::string_view text, std::string_view key);

// `path` is the group relative to the controllers' roots ("nestlab/u/vhv-1");
// `root` is where cgroupfs is mounted.
HostResult<CgroupUsage> read_cgroup_usage(const std::string& path, CgroupVersion version,
                                          const std::string& root = "/sys/fs/cgroup");

// Only what memory-limit events need, read often (every second per VHV):
// v1 memory.failcnt, memory.oom_control "oom_kill" and memory.limit_in_bytes;
// v2 memory.events "max" and "oom_kill" and memory.max. The other fields
// stay zero.
HostResult<CgroupUsage> read_memory_events(const std::string& path, CgroupVersion version,
                                           const std::string& root = "/sys/fs/cgroup");

}  // namespace nestlab::userworld
