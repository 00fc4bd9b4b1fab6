#include "vhv/host/pause_resume.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "vhv/host/control_channel.h"
#include "vhv/host/frame_codec.h"

namespace nestlab::vhv {

using nlohmann::json;

namespace {}  // namespace

HostResult<channel::TickPolicy> parse_tick_policy(const std::string& name) {
  if (name == "none") return channel::TickPolicy::None;
  if (name == "skip") return channel::TickPolicy::Skip;
  if (name == "accelerated") return channel::TickPolicy::Accelerated;
  return nestlab::make_error(
      ErrorCode::InvalidArgument,
      "tick_policy must be \"none\", \"skip\" or \"accelerated\", not \"" + name + "\"");
}

const char* tick_policy_name(channel::TickPolicy policy) {
  switch (policy) {
    case channel::TickPolicy::None: return "none";
    case channel::TickPolicy::Skip: return "skip";
    case channel::TickPolicy::Accelerated: return "accelerated";
  }
  return "?";
}

json pause_vhv(QmpClient& qmp, PauseState& state) {
  if (state.paused) return control_error("invalid-argument", "the VHV is already paused");
  auto r = qmp.execute("stop", json::object(), kQmpTimeout);
  if (r.is_error()) return control_error("io", "QMP stop: " + r.error().message);
  state.paused = true;
  state.since = std::chrono::steady_clock::now();
  return json{{"result", {{"paused", true}}}};
}

json resume_vhv(QmpClient& qmp, int serial_fd, const VmSlots& vms, PauseState& state) {
  if (!state.paused) return control_error("invalid-argument", "the VHV is not paused");
  auto r = qmp.execute("cont", json::object(), kQmpTimeout);
  if (r.is_error()) return control_error("io", "QMP cont: " + r.error().message);
  state.paused = false;
  const auto paused = std::chrono::steady_clock::now() - state.since;
  const uint64_t ns =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(paused).count());
  std::optional<channel::TickPolicy> first;
  for (unsigned vm = 0; vm < vms.size(); ++vm) {
    if (!vms[vm].busy()) continue;
    if (!first) first = vms[vm].tick_policy;
    channel::ResumeTimePayload p{static_cast<uint8_t>(vm), vms[vm].tick_policy, ns};
    const std::string frame = encode_frame(channel::FrameType::ResumeTime, &p, sizeof(p));
    if (::write(serial_fd, frame.data(), frame.size()) != static_cast<ssize_t>(frame.size()))
      return control_error("io", std::string("cannot reach the lowvisor: ") + std::strerror(errno));
  }
  return json{{"result",
               {{"paused", false},
                {"paused_ms", ns / 1000000},
                {"tick_policy", tick_policy_name(first.value_or(channel::TickPolicy::Skip))}}}};
}

}  // namespace nestlab::vhv
