// `make -C <dir>` for grade and run: output captured and bounded (the start,
// where the first compiler error is, and the end), a time limit, and Ctrl-C
// handled by ending make's whole process group.
#pragma once

#include <chrono>
#include <string>

#include "base/error.h"

namespace nestlab::lab {

struct BuildResult {
  bool ok = false;
  std::string output;  // make's stdout and stderr, interleaved, bounded
  bool timed_out = false;
  bool interrupted = false;  // `interrupt_fd` became readable
};

inline constexpr size_t kBuildOutputHead = 48 * 1024;
inline constexpr size_t kBuildOutputTail = 16 * 1024;

// Runs make in its own process group; `interrupt_fd` (e.g. a signalfd, -1
// for none) and `timeout` stop it. Errors only when make cannot be started.
HostResult<BuildResult> run_make(const std::string& dir, int interrupt_fd,
                                 std::chrono::seconds timeout);

}  // namespace nestlab::lab
