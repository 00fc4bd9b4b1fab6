// Connecting to the kernel, starting one when nothing answers.
#pragma once

#include <memory>
#include <string>

#include "base/error.h"
#include "console/client/client.h"

namespace nestlab::client {

enum class AutoStart { No, Yes };

struct ConnectOptions {
  std::string socket_path;  // Empty: default_socket_path().
  AutoStart auto_start = AutoStart::Yes;
};

// Connects; if nothing listens and auto_start is Yes, launches
// kernel_executable() (log in <state dir>/nestlabd.log) and connects again.
// Errors carry a message ready for a person, e.g. "could not start nestlabd:
// ...; run it yourself with `nestlabd --foreground` to see why".
HostResult<std::unique_ptr<Client>> connect_to_kernel(const ConnectOptions& options);

}  // namespace nestlab::client
