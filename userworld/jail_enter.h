// The child's half of the jail (jail.h): between clone and exec, so only
// system calls, no allocation. Each returns null on success or the name of
// the step that failed, with errno set.
#pragma once

#include "userworld/jail.h"

namespace nestlab::userworld {

// Mounts the tmpfs, the read-only binds, /proc and /tmp, then pivot_roots
// into it and detaches the host's root. Needs a private mount namespace.
const char* enter_jail(const JailPlan& plan);

// Drops every capability for good: securebits lock out regaining them by
// exec as uid 0 or by setuid, the bounding and ambient sets are emptied,
// then the effective, permitted and inheritable sets.
const char* drop_all_capabilities();

}  // namespace nestlab::userworld
