// The monitor's commands. run_command() executes one line; it returns
// false when the line was `poweroff` (the caller powers off with `code`).
#pragma once

#include <cstdint>

#include "labs/guests/monitor/line_editor.h"

namespace monitor {

struct Session {
  uint64_t dtb = 0;
  const char* bootargs = "";
  LineEditor* editor = nullptr;  // Not owned.
  uint64_t commands_run = 0;
  uint8_t exit_code = 0;
};

bool run_command(Session& session, char* line);

}  // namespace monitor
