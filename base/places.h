// Where a kernel's socket and state live (docs/protocols.md, "Files and
// places"). One rule for nestlabd, the CLI and the GUI, so that a client
// always looks where its kernel listens.
#pragma once

#include <string>

namespace nestlab {

// NESTLAB_SOCKET, else /run/nestlab/nestlab.sock for root (system mode),
// else $XDG_RUNTIME_DIR/nestlab/nestlab.sock, else
// /tmp/nestlab-$UID/nestlab.sock.
std::string default_socket_path();

// NESTLAB_STATE_DIR, else /var/lib/nestlab for root, else
// $XDG_DATA_HOME/nestlab, else $HOME/.local/share/nestlab (HOME from the
// environment, else the password database).
std::string default_state_dir();

// The value of environment variable `name`, or "" when unset or empty.
std::string env_string(const char* name);

}  // namespace nestlab
