// The API socket: refuses to start over a live kernel, replaces a stale
// socket file, and holds a lock next to the socket for the kernel's life so
// two kernels starting at once cannot both take the same path.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "kernel/options.h"

namespace nestlab::kernel {

struct ListeningSocket {
  UniqueFd fd;
  UniqueFd lock;  // flock'ed "<socket>.lock"
  std::string path;
};

// With `group`, that group gets read/write on the socket too (system mode).
HostResult<ListeningSocket> open_listening_socket(const std::string& path, Mode mode,
                                                  std::optional<gid_t> group = std::nullopt);

// Makes `dir` (and its parents) with `mode` if missing.
HostResult<void> make_dirs(const std::string& dir, mode_t mode);

}  // namespace nestlab::kernel
