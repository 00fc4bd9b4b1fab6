// spawn(): start a program as the first process of a fresh userworld — new
// PID, mount, network, UTS and IPC namespaces (plus a user namespace mapping
// the caller to root when the caller is not root), its own cgroup, only the
// fds it was given, no_new_privs. DESIGN.md "S5": a virtual hypervisor lives
// in a namespace-isolated user-space instance confined by a resource group.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "userworld/cgroup.h"
#include "userworld/jail.h"

namespace nestlab::userworld {

struct FdMapping {
  int source;  // fd in the caller (left open there)
  int target;  // fd number in the child
};

enum class UserNamespace { Auto, Always, Never };  // Auto: only when not root

// An unprivileged host identity for the child (system mode): the kernel
// gives each VHV a uid and gid of its own, as Firecracker's jailer takes
// --uid/--gid. The child switches to it after building its jail and before
// exec, and keeps no supplementary groups.
struct HostIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
};

struct CgroupSpec {
  std::string path;  // relative to each controller's root, e.g. "nestlab/vhv-3"
  CgroupLimits limits;
};

struct SpawnSpec {
  std::string path;               // executable
  std::vector<std::string> argv;  // argv[0] included
  std::vector<FdMapping> fds;     // stdout/stderr are inherited unless mapped
  std::string hostname;           // the UTS namespace's name (the VHV name)
  std::optional<CgroupSpec> cgroup;
  UserNamespace user_namespace = UserNamespace::Auto;
  JailLayout* jail = nullptr;  // Not owned. Null: the host's root, capabilities kept.
  uint64_t open_files = 4096;  // RLIMIT_NOFILE
  uint64_t address_space = 0;  // RLIMIT_AS when no cgroup limits memory; 0: none
  uint64_t processes = 0;      // RLIMIT_NPROC (tasks of the child's uid); 0: none
  // Needs a caller that is root and no user namespace; null: the caller's
  // own uid (as root of a user namespace when there is one).
  std::optional<HostIdentity> identity;
};

// How the child is confined, reported to users as-is (VhvInfo.limits).
enum class LimitKind { Cgroup, RlimitsOnly };

struct Child {
  pid_t pid = -1;                  // host PID; init of the new PID namespace
  UniqueFd pidfd;                  // readable once the child exits; waitid(P_PIDFD) reaps it
  std::unique_ptr<Cgroup> cgroup;  // null if none could be made
  std::string cgroup_error;        // why limits are not the cgroup's, when one was asked for
  // Cgroup only when the group has the memory controller: a group without
  // it (v2 without delegation) still groups and accounts, but RLIMIT_AS is
  // then what bounds memory.
  LimitKind limits = LimitKind::RlimitsOnly;
  bool user_namespace = false;
};

// Returns once the child has exec'd the program, or with the error of the
// step that failed (in the caller or in the child before exec).
HostResult<Child> spawn(const SpawnSpec& spec);

// SIGKILLs the child (and with it its whole PID namespace) and reaps it.
// Returns the wait status. Safe to call on a child that already exited.
int kill_and_reap(Child& child);

}  // namespace nestlab::userworld
