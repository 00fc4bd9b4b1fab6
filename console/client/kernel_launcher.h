// Starts a session kernel on demand, the way `docker` users wish dockerd
// behaved: exec nestlabd detached with `--idle-exit 30 --ready-fd N` and wait
// for the byte it writes to fd N once it listens.
#pragma once

#include <string>

#include "base/error.h"

namespace nestlab::client {

struct LaunchOptions {
  std::string kernel_path;  // The nestlabd executable.
  std::string socket_path;  // Passed as NESTLAB_SOCKET so it listens where we look.
  std::string log_path;     // stdout/stderr of the kernel; empty = /dev/null.
  int idle_exit_seconds = 30;
  int ready_timeout_ms = 10000;
};

// Returns once the kernel reported ready. The error message says what went
// wrong ("nestlabd exited with status 1", "... did not become ready").
HostResult<void> launch_kernel(const LaunchOptions& options);

}  // namespace nestlab::client
