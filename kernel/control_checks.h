// What a highvisor may say on its control socket (docs/protocols.md
// section 2), checked before the kernel acts on any of it. The highvisor
// runs beside a guest's QEMU inside a userworld, so it is treated as a
// peer that may be compromised: nothing it sends may make the kernel throw,
// recurse, hold memory without bound or make something per made-up number
// (a console stream per "vm"). Each check names the first field that is
// wrong, e.g. `entries[3].pc must be a string of at most 24 bytes, got an
// object of 2 keys`. Pure functions, so every shape is unit-tested (and
// fuzzed) without a highvisor.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace nestlab::kernel {

// The "result" of a reply to `method` (control_protocol.h). Results of
// methods this kernel never sends are refused.
HostResult<void> check_reply_result(std::string_view method, const nlohmann::json& result);

// The "error" of a reply: {code: a known error name, message: text}.
HostResult<void> check_reply_error(const nlohmann::json& error);

// A line with "event": its fields for that event; unknown events are
// refused.
HostResult<void> check_event(const nlohmann::json& msg);

// The longest texts a highvisor may send in an event or error; longer is
// a protocol error (the lowvisor's own lines are far shorter).
inline constexpr size_t kMaxEventText = 16 * 1024;

}  // namespace nestlab::kernel
