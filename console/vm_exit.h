// How a guest ended (the `vm-exit` event, docs/protocols.md section 1) and
// the exit status `nestlab run` turns it into (section 3, "Guest exit codes").
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace nestlab::cli {

// Exit statuses that do not come from a guest.
inline constexpr int kExitError = 1;          // A subcommand that did not do what was asked.
inline constexpr int kExitUsage = 2;          // Bad command line.
inline constexpr int kExitFailed = 125;       // Bad input, kernel or VHV failure.
inline constexpr int kExitGuestFault = 126;   // The lowvisor stopped the guest.
inline constexpr int kExitInterrupted = 130;  // Ctrl-C, SIGTERM, or stopped from outside.

struct VmExit {
  std::string vhv;
  int64_t vm = 0;
  std::string reason;  // poweroff | reset | fault | stopped | vhv-died
  int64_t code = 0;
  std::string message;
  // Exit counts per exception class, largest first (ties by name).
  std::vector<std::pair<std::string, uint64_t>> counters;
};

VmExit parse_vm_exit(const nlohmann::json& params);

// poweroff and reset: the guest's code & 0xff; fault: 126; stopped: 130
// (someone destroyed the VHV, like Ctrl-C from elsewhere); vhv-died and
// anything unknown: 125.
int exit_status_for(const VmExit& exit);

// The line `nestlab run` prints on stderr for an exit that is not a normal
// power-off, without the "nestlab run: " prefix; empty when there is none.
std::string describe_abnormal_exit(const VmExit& exit);

// An aligned two-column table (exit class, count) with a total row.
std::string format_counters(const VmExit& exit);

nlohmann::json counters_json(const VmExit& exit);

}  // namespace nestlab::cli
