// Resource groups made, adopted and removed; limits written per
// userworld/cgroup_settings.h. cgroup v1 (one hierarchy per controller;
// this project's hosts) goes through libcgroup; the v2 unified hierarchy
// (Debian 12's default) through its files (cgroup_v2.h), with controllers
// delegated down through cgroup.subtree_control. Only controllers the host
// actually offers are used; which ones is reported so nobody is told about
// limits that are not enforced.
//
// Groups nest: <parent>/<tenant>/<vhv> (DESIGN.md S5). A tenant's group
// carries the tenant's limits, which bound the sum of its VHVs' groups.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "userworld/cgroup_settings.h"

struct cgroup;

namespace nestlab::userworld {

class Cgroup {
 public:
  // Creates `path` (relative to each controller's root, e.g. "nestlab/alice/vhv-3")
  // and its missing parents, replacing an empty leftover of the same name,
  // and applies the limits.
  static HostResult<std::unique_ptr<Cgroup>> create(const std::string& path,
                                                    const CgroupLimits& limits);
  // Takes over an existing group (a restarted kernel re-adopting its VHVs):
  // nothing is recreated or rewritten; remove() works as for a created one.
  static HostResult<std::unique_ptr<Cgroup>> adopt(const std::string& path);
  ~Cgroup();  // removes the group (best effort; see remove())
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;

  HostResult<void> attach(pid_t pid);
  // Removes the group. Its processes must be gone (v1 rmdir fails otherwise).
  HostResult<void> remove();

  const std::string& path() const { return m_path; }
  // The controllers the group is in (v1) or has (v2), of cpu, cpuacct,
  // memory, pids.
  const std::vector<std::string>& controllers() const { return m_controllers; }
  bool has(const std::string& controller) const;

 private:
  Cgroup(std::string path, std::vector<std::string> controllers, struct cgroup* cg)
      : m_path(std::move(path)), m_controllers(std::move(controllers)), m_cg(cg) {}

  std::string m_path;
  std::vector<std::string> m_controllers;
  struct cgroup* m_cg;  // v1: owned, null once removed; v2: always null
  bool m_removed = false;
};

// True if the host's cgroup hierarchy is v2-only (unified).
bool cgroup_v2_unified();
CgroupVersion host_cgroup_version();

// A group that only holds others (a tenant's): made if missing, with the
// controllers enabled for its children, and its limits (re)written.
HostResult<void> ensure_cgroup(const std::string& path, const CgroupLimits& limits);
// Writes a group's limits (unset ones are lifted).
HostResult<void> apply_cgroup_limits(const std::string& path, const CgroupLimits& limits);
// Removes a group if it is empty (no processes, no children); quiet otherwise.
void remove_cgroup_if_empty(const std::string& path);
// Whether the group exists in the memory (or unified) hierarchy.
bool cgroup_exists(const std::string& path);

// The groups directly below `path`, by name (v1: as the pids, memory or
// cpu hierarchy has them, whichever is mounted first).
std::vector<std::string> cgroup_children(const std::string& path);
// The processes in `path` itself and in every group below it.
std::vector<pid_t> cgroup_processes(const std::string& path);
// SIGKILLs every process in `path` and below, waits up to `wait_ms` for
// them to be gone, then removes the groups. False if some were left.
bool kill_cgroup(const std::string& path, int wait_ms);

}  // namespace nestlab::userworld
