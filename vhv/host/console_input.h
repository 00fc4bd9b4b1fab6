// The `console-input` request (protocols.md section 2): bytes typed at a
// guest console, base64 in the request, go to the lowvisor as ConsoleIn
// frames. Frames are kept small (64 bytes) so typed keys are never held
// behind a long paste, and the total per request is bounded so a write to
// QEMU's channel socket cannot block the highvisor's loop for long.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nestlab::vhv {

inline constexpr size_t kMaxConsoleInput = 4096;

// Writes all of `bytes` to the channel socket (frames to the lowvisor),
// waiting up to a second for room each time it is full.
bool write_fully(int fd, const std::string& bytes);

// Returns the reply body: {"result": {"bytes": N}} or {"error": {...}}.
nlohmann::json send_console_input(int serial_fd, const nlohmann::json& params);

}  // namespace nestlab::vhv
