// S10: pausing and resuming a VHV (protocols.md "Pause and resume"). Pause
// stops QEMU (QMP stop: every CPU and the counter stand still); resume
// continues it (QMP cont) and tells the lowvisor, in a ResumeTime frame, how
// long the pause lasted so that the VM's tick policy can move guest time
// (vhv/el2/timer/guest_time.h): one frame for every VM that runs, each with
// its own policy.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "vhv/common/channel.h"
#include "vhv/host/qmp_client.h"
#include "vhv/host/vm_slot.h"

namespace nestlab::vhv {

struct PauseState {
  bool paused = false;
  std::chrono::steady_clock::time_point since;
};

// "none" | "skip" | "accelerated" (vm.run tick_policy).
HostResult<channel::TickPolicy> parse_tick_policy(const std::string& name);
const char* tick_policy_name(channel::TickPolicy policy);

// Replies (JSON "result" or "error") for the highvisor's pause/resume requests.
nlohmann::json pause_vhv(QmpClient& qmp, PauseState& state);
// The reply's tick_policy is the lowest running VM's (or the default, skip).
nlohmann::json resume_vhv(QmpClient& qmp, int serial_fd, const VmSlots& vms, PauseState& state);

}  // namespace nestlab::vhv
