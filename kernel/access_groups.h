// The groups that widen access to a system-mode kernel: --socket-group lets
// its members connect, --admin-group lets its members see and control every
// VHV (like root). Membership follows the group database, as for polkit's or
// Docker's socket groups, so a user added to a group needs no new login.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/error.h"

namespace nestlab::kernel {

// The gid of group `name`; nullopt for an empty name.
HostResult<std::optional<gid_t>> resolve_group(const std::string& name);

// True if `uid` (whose connection carried primary gid `primary`) belongs to
// `group`, as its primary group or a supplementary one.
bool user_in_group(uid_t uid, gid_t primary, gid_t group);

}  // namespace nestlab::kernel
