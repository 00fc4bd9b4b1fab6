// Which cgroup files carry a resource group's limits, and what goes in
// them, on cgroup v1 (a hierarchy per controller; this project's hosts) and
// v2 (unified). Pure logic, so both versions are unit-tested on any host:
//
//   limit            v1                                        v2
//   CPU weight       cpu.shares (1024 = weight 100)            cpu.weight (1..10000)
//   CPU quota        cpu.cfs_quota_us + cpu.cfs_period_us      cpu.max "QUOTA PERIOD"
//   memory           memory.limit_in_bytes                     memory.max
//   no swap          memory.memsw.limit_in_bytes = memory      memory.swap.max 0
//                    (only with swap accounting)
//   PIDs             pids.max                                  pids.max
//
// A limit that is not set is written as "no limit" (-1 / "max"), so that
// lifting a tenant's limit really lifts it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "userworld/cgroup_usage.h"

namespace nestlab::userworld {

struct CgroupLimits {
  uint64_t memory_bytes = 0;       // hard limit, no swap beyond it; 0: none
  uint64_t pids = 0;               // 0: none
  uint64_t cpu_weight = 0;         // cgroup v2 scale 1..10000 (100 = default); 0: default
  uint64_t cpu_quota_percent = 0;  // of one CPU (200 = two CPUs); 0: none
};

struct CgroupSetting {
  std::string controller;  // "cpu", "memory", "pids" (v1 hierarchy; v2 ignores it)
  std::string file;
  std::string value;
};

inline constexpr uint64_t kCpuPeriodUs = 100000;
inline constexpr uint64_t kMaxCpuWeight = 10000;

// v2 weight → v1 shares: weight 100 is shares 1024, clamped to v1's 2..262144.
uint64_t cpu_weight_to_shares(uint64_t weight);

// The files to write, in an order the kernel accepts (v1 memsw must stay
// >= the memory limit: see apply_order note in cgroup.cpp). `swap_accounting`:
// v1 has memory.memsw.* (CONFIG_MEMCG_SWAP and swapaccount on).
std::vector<CgroupSetting> cgroup_settings(const CgroupLimits& limits, CgroupVersion version,
                                           bool swap_accounting);

// Writes `limits` to group `path` of the hierarchy mounted at `root`
// (files of controllers the group lacks are not there and are left out).
// v1 memsw must stay >= the memory limit at every moment, so when the pair
// moves up past the current memsw, memsw goes first.
HostResult<void> write_cgroup_limits(const std::string& root, CgroupVersion version,
                                     const std::string& path, const CgroupLimits& limits);

// Where a controller's file of group `path` lives below `root`.
std::string cgroup_file(const std::string& root, CgroupVersion version,
                        const std::string& controller, const std::string& path,
                        const std::string& file);

}  // namespace nestlab::userworld
