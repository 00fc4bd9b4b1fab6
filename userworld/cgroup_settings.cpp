#include "userworld/cgroup_settings.h"

#include <algorithm>

namespace nestlab::userworld {

uint64_t cpu_weight_to_shares(uint64_t weight) {
  return std::clamp<uint64_t>(weight * 1024 / 100, 2, 262144);
}

std::vector<CgroupSetting> cgroup_settings(const CgroupLimits& l, CgroupVersion version,
                                           bool swap_accounting) {
  std::vector<CgroupSetting> out;
  auto number = [](uint64_t v) { return std::to_string(v); };
  if (version == CgroupVersion::V2) {
    out.push_back({"cpu", "cpu.weight", number(l.cpu_weight ? l.cpu_weight : 100)});
    out.push_back({"cpu", "cpu.max",
                   (l.cpu_quota_percent ? number(l.cpu_quota_percent * kCpuPeriodUs / 100)
                                        : std::string("max")) +
                       " " + number(kCpuPeriodUs)});
    out.push_back({"memory", "memory.max", l.memory_bytes ? number(l.memory_bytes) : "max"});
    // No swap at all: the memory limit is the whole of what the group gets.
    out.push_back({"memory", "memory.swap.max", "0"});
    out.push_back({"pids", "pids.max", l.pids ? number(l.pids) : "max"});
    return out;
  }
  out.push_back(
      {"cpu", "cpu.shares", number(cpu_weight_to_shares(l.cpu_weight ? l.cpu_weight : 100))});
  out.push_back({"cpu", "cpu.cfs_period_us", number(kCpuPeriodUs)});
  out.push_back({"cpu", "cpu.cfs_quota_us",
                 l.cpu_quota_percent ? number(l.cpu_quota_percent * kCpuPeriodUs / 100) : "-1"});
  std::string memory = l.memory_bytes ? number(l.memory_bytes) : "-1";
  out.push_back({"memory", "memory.limit_in_bytes", memory});
  // memory+swap equal to memory: the group may not swap. (v1 refuses a
  // memsw below the memory limit; cgroup.cpp writes the pair in whichever
  // order the current values allow.)
  if (swap_accounting) out.push_back({"memory", "memory.memsw.limit_in_bytes", memory});
  out.push_back({"pids", "pids.max", l.pids ? number(l.pids) : "max"});
  return out;
}

std::string cgroup_file(const std::string& root, CgroupVersion version,
                        const std::string& controller, const std::string& path,
                        const std::string& file) {
  if (version == CgroupVersion::V2) return root + "/" + path + "/" + file;
  return root + "/" + controller + "/" + path + "/" + file;
}

}  // namespace nestlab::userworld
