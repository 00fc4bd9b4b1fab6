#include "userworld/cgroup_settings.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nestlab::userworld {
namespace {

// 0 or errno.
int write_value(const std::string& file, const std::string& value) {
  int fd = ::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return errno;
  int err =
      ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size()) ? 0 : errno;
  ::close(fd);
  return err;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

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

HostResult<void> write_cgroup_limits(const std::string& root, CgroupVersion v,
                                     const std::string& path, const CgroupLimits& limits) {
  bool swap_accounting =
      v == CgroupVersion::V1 && exists(root + "/memory/memory.memsw.limit_in_bytes");
  auto settings = cgroup_settings(limits, v, swap_accounting);
  for (size_t i = 0; i < settings.size(); ++i) {
    const auto& s = settings[i];
    std::string file = cgroup_file(root, v, s.controller, path, s.file);
    if (!exists(file)) continue;  // controller or feature not on this host
    int err = write_value(file, s.value);
    if (err == EINVAL && s.file == "memory.limit_in_bytes" && i + 1 < settings.size() &&
        settings[i + 1].file == "memory.memsw.limit_in_bytes") {
      std::string memsw = cgroup_file(root, v, "memory", path, settings[i + 1].file);
      err = write_value(memsw, settings[i + 1].value);
      if (err == 0) err = write_value(file, s.value);
    }
    if (err != 0) {
      std::string hint;
      if (s.file == "cpu.cfs_quota_us" && err == EINVAL)
        hint = " (cgroup v1 refuses a CPU quota above the tenant's)";
      if (s.file.starts_with("memory.") && err == EBUSY)
        hint = " (the group already uses more than that)";
      return make_error(ErrorCode::InvalidArgument, "cannot set " + s.file + " = " + s.value +
                                                        " for " + path + ": " + std::strerror(err) +
                                                        hint);
    }
  }
  return {};
}

}  // namespace nestlab::userworld
