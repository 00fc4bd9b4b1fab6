// cgroup v2, the unified hierarchy (Documentation/admin-guide/cgroup-v2.rst),
// driven by its files rather than libcgroup: a group is a directory, a
// process joins by writing its PID to cgroup.procs, and a controller
// reaches a group only if every ancestor lists it in cgroup.subtree_control
// ("Enabling and Disabling", top-down constraint). `root` is where the
// hierarchy is mounted (/sys/fs/cgroup on Debian 12); tests pass a
// directory of their own.
//
// The parts that need a kernel (mkdir making the interface files, rmdir of
// a group with only those files) are tested on a real cgroup2 mount in a
// private mount namespace; the rest also on a plain directory tree laid out
// like one (cgroup_v2_test.cpp).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/error.h"

namespace nestlab::userworld::cgroup2 {

// The controllers a group offers its children (its cgroup.controllers),
// or that it was given: for the root, every controller bound to v2.
std::vector<std::string> controllers(const std::string& root, const std::string& path);

// Enables each of `wanted` that `path` has (cgroup.controllers) for its
// children (cgroup.subtree_control), one at a time so that one the kernel
// refuses does not keep the others away. Returns those now enabled.
std::vector<std::string> delegate(const std::string& root, const std::string& path,
                                  const std::vector<std::string>& wanted);

// Makes `path` and its missing ancestors, delegating `wanted` down the way
// so the new group gets them. A leftover empty group of the same name is
// removed first (a kernel that died); one with processes is an error.
// Returns the controllers the new group has, of those wanted.
HostResult<std::vector<std::string>> make_group(const std::string& root, const std::string& path,
                                                const std::vector<std::string>& wanted);

HostResult<void> attach(const std::string& root, const std::string& path, pid_t pid);

// rmdir: the group must have no processes and no children.
HostResult<void> remove(const std::string& root, const std::string& path);

// The PIDs in the group itself (cgroup.procs), not in its children.
std::vector<pid_t> processes(const std::string& root, const std::string& path);

// The names of the groups directly below `path`.
std::vector<std::string> children(const std::string& root, const std::string& path);

}  // namespace nestlab::userworld::cgroup2
