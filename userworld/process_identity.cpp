#include "userworld/process_identity.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace nestlab::userworld {

std::optional<uint64_t> process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return std::nullopt;
  // Field 2 (comm) is in parentheses and may hold spaces: count fields
  // after its closing parenthesis. Field 3 is the first after it.
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
    // A zombie (or dead) process has ended; it only waits to be reaped.
    if (i == 3 && (field == "Z" || field == "X")) return std::nullopt;
  }
  try {
    return std::stoull(field);
  } catch (...) {
    return std::nullopt;
  }
}

HostResult<UniqueFd> open_same_process(pid_t pid, uint64_t start_time) {
  if (pid <= 0)
    return make_error(ErrorCode::NotFound, "no process (pid " + std::to_string(pid) + ")");
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!fd) {
    if (errno == ESRCH)
      return make_error(ErrorCode::NotFound, "process " + std::to_string(pid) + " is gone");
    return errno_error("pidfd_open " + std::to_string(pid));
  }
  // Checked after pidfd_open: the pidfd pins the PID, so the process the
  // start time describes is the one the fd refers to.
  auto started = process_start_time(pid);
  if (!started)
    return make_error(ErrorCode::NotFound, "process " + std::to_string(pid) + " is gone");
  if (*started != start_time)
    return make_error(ErrorCode::NotFound, "pid " + std::to_string(pid) +
                                               " now belongs to another process (started at " +
                                               std::to_string(*started) + ", expected " +
                                               std::to_string(start_time) + ")");
  return fd;
}

}  // namespace nestlab::userworld
