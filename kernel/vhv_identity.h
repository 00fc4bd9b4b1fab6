// The host identity of a system-mode VHV: its highvisor and QEMU run as a
// uid and gid of their own, never as root, from a range the kernel owns
// (docs/protocols.md, "Userworld jail and seccomp"). A uid-0 process keeps
// the owner's rights to everything root owns — /proc/sys/kernel/core_pattern,
// /proc/sysrq-trigger, most of /sys, /dev/kmsg — even without a single
// capability; an unprivileged uid has none of them.
//
// Why a plain uid rather than a user namespace mapping to one: the process
// would be root of a user namespace that owns its mount, network and PID
// namespaces, which opens much of the kernel's namespace-only surface to
// it; with a plain uid every check is the ordinary one for an unprivileged
// user, and RLIMIT_NPROC counts exactly the VHV's own tasks. (Session mode
// cannot switch uid and keeps its user namespace mapping to the user.)
//
// The uid is not kept in a table: the VHV's record keeps it, and a uid is
// free when no process on the host runs as it (a VHV leaves nothing else
// owned by it: its root is read-only and its /tmp, IPC and sockets die with
// its namespaces). A host-wide lock held from the choice until the VHV has
// switched to it keeps two kernels from picking the same one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "userworld/spawn.h"

namespace nestlab::kernel {

struct UidRange {
  uid_t base = 0;
  uint32_t count = 0;
};

// 0x70000000 and the 65536 after it: above the ranges distributions and
// systemd hand out (regular users, DynamicUser, nspawn containers end at
// 0x6FFFFFFF) and below 2^31, which some tools still read as signed.
inline constexpr UidRange kDefaultVhvUids{0x70000000u, 65536};

// "BASE:COUNT" (NESTLAB_VHV_UIDS, --vhv-uids): decimal, BASE >= 1000,
// COUNT >= 1, the whole range below 2^31.
HostResult<UidRange> parse_uid_range(const std::string& text);

struct VhvIdentity {
  userworld::HostIdentity ids;
  UniqueFd lock;  // hold until the VHV runs as ids
};

// A free uid of `range` (uid = gid), tried from a place that follows the
// VHV's id number so ids spread over the range. `running` is every uid and
// gid a process on the host runs as (host_uids_in_use()).
HostResult<uid_t> choose_vhv_uid(const UidRange& range, uint64_t id_number,
                                 const std::set<uid_t>& running);
std::set<uid_t> host_uids_in_use();

// Takes the host-wide lock, then chooses.
HostResult<VhvIdentity> allocate_vhv_identity(const UidRange& range, const std::string& vhv_id);

}  // namespace nestlab::kernel
