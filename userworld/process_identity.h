// Telling whether a PID still names the process a record was written for:
// a restarted nestlabd re-adopts highvisors it did not start, and a PID can
// be reused once its process is gone. The pair (PID, start time in clock
// ticks since boot, /proc/PID/stat field 22) names one process for the
// machine's uptime.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nestlab::userworld {

// None if there is no such process or it has ended (a zombie).
std::optional<uint64_t> process_start_time(pid_t pid);

// A pidfd for `pid` if it is still the process that started at
// `start_time`; NotFound if it is gone or the PID now names another
// process. The pidfd becomes readable when the process exits (which works
// for a process that is not our child; waitid cannot reap it).
HostResult<UniqueFd> open_same_process(pid_t pid, uint64_t start_time);

}  // namespace nestlab::userworld
