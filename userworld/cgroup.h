// One resource group for one userworld, made and removed through libcgroup.
// Handles cgroup v1 (one hierarchy per controller; this project's hosts) and
// the v2 unified hierarchy. Only controllers the host actually mounts are
// used; which ones is reported so nobody is told about limits that are not
// enforced.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

struct cgroup;

namespace nestlab::userworld {

struct CgroupLimits {
  uint64_t memory_bytes = 0;  // 0: no memory limit
  uint64_t pids = 0;          // 0: no pids limit
};

class Cgroup {
 public:
  // Creates `path` (relative to each controller's root, e.g. "nestlab/vhv-3"),
  // replacing an empty leftover of the same name, and applies the limits.
  static HostResult<std::unique_ptr<Cgroup>> create(const std::string& path,
                                                    const CgroupLimits& limits);
  ~Cgroup();  // removes the group (best effort; see remove())
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;

  HostResult<void> attach(pid_t pid);
  // Removes the group. Its processes must be gone (v1 rmdir fails otherwise).
  HostResult<void> remove();

  const std::string& path() const { return m_path; }
  const std::vector<std::string>& controllers() const { return m_controllers; }

 private:
  Cgroup(std::string path, std::vector<std::string> controllers, struct cgroup* cg)
      : m_path(std::move(path)), m_controllers(std::move(controllers)), m_cg(cg) {}

  std::string m_path;
  std::vector<std::string> m_controllers;
  struct cgroup* m_cg;  // owned; null once removed
};

// True if the host's cgroup hierarchy is v2-only (unified).
bool cgroup_v2_unified();

}  // namespace nestlab::userworld
