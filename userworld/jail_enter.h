// The child's half of the jail (jail.h): between clone and exec, so only
// system calls, no allocation. Each returns null on success or the name of
// the step that failed, with errno set.
#pragma once

#include "userworld/jail.h"

namespace nestlab::userworld {

// Mounts the tmpfs, the read-only binds, /proc and /tmp, then pivot_roots
// into it and detaches the host's root. Needs a private mount namespace.
// The /proc is "subset=pid" (Linux 5.8): only the process directories of
// the jail's own PID namespace, so /proc/sys, /proc/sysrq-trigger,
// /proc/kcore and the other system-wide files are not there at all.
const char* enter_jail(const JailPlan& plan);

inline constexpr unsigned kKeepId = ~0u;

// Drops every capability for good: securebits lock out regaining them by
// exec as uid 0 or by setuid, the bounding and ambient sets are emptied,
// then (unless they are kKeepId) the process becomes `uid` and `gid` with
// no supplementary groups, then the effective, permitted and inheritable
// sets are emptied. Without the switch a jailed process of a root nestlabd
// would still be uid 0, which owns /proc/sys and much else whatever its
// capabilities.
const char* drop_all_capabilities(unsigned uid, unsigned gid);

}  // namespace nestlab::userworld
