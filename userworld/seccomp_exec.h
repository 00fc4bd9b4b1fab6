// The one execve QEMU's seccomp policy lets through (seccomp_policy.cpp,
// add_process_rules): the filter is loaded in the child before it execs
// QEMU, so that exec reaches the highvisor as a user notification like any
// call outside the list. The highvisor answers exactly that one with
// "continue"; every later execve (a compromised QEMU starting a shell) is
// an ordinary violation.
//
// Letting a notified call continue is unsafe when the decision depends on
// what its pointer arguments point to (seccomp_unotify(2), "Caveats"); this
// one depends only on it being the first call the child makes after loading
// the filter, from code of ours that runs single-threaded before exec.
#pragma once

#include <sys/types.h>

#include "base/error.h"

namespace nestlab::userworld {

// Waits up to `timeout_ms` for the first notification on `listener_fd`
// and lets it continue if it is an execve by `child` (a PID as the caller
// sees it). Anything else (another call, another process, the child gone,
// no call in time) is an error naming it; the caller kills the child.
HostResult<void> allow_first_exec(int listener_fd, pid_t child, int timeout_ms);

}  // namespace nestlab::userworld
