// QEMU's seccomp allowlist (userworld/seccomp_policy.h) from the
// highvisor's side: the QEMU child loads it just before exec and hands the
// highvisor the user-notification listener; a syscall outside the list
// then blocks QEMU and wakes the highvisor, which kills QEMU and reports
// "QEMU killed: seccomp violation: <syscall>".
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "base/error.h"

namespace nestlab::vhv {

struct QemuSeccomp {
  std::vector<sock_filter> program;
  bool notify = true;  // false in log mode: nothing to listen to
};

// Before fork (allocates).
HostResult<QemuSeccomp> prepare_qemu_seccomp();

// In the child, right before exec: loads the filter and sends the listener
// over `socket_fd`. Async-signal-safe; false on failure (errno set).
bool load_qemu_seccomp(const QemuSeccomp& seccomp, int socket_fd);

// In the parent after fork: the listener the child sent, or -1 (log mode,
// or the child died before loading it).
int receive_qemu_listener(int socket_fd);

// Reads one pending notification: the name of the syscall QEMU tried, or
// empty if there was none.
std::string read_seccomp_violation(int listener_fd);

}  // namespace nestlab::vhv
