// Where a kernel's socket and state live (docs/protocols.md, "Files and
// places"). One rule for nestlabd, the CLI and the GUI, so that a client
// always looks where its kernel listens.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/error.h"

namespace nestlab {

// NESTLAB_SOCKET, else /run/nestlab/nestlab.sock for root (system mode),
// else $XDG_RUNTIME_DIR/nestlab/nestlab.sock, else
// /tmp/nestlab-$UID/nestlab.sock.
std::string default_socket_path();

// NESTLAB_STATE_DIR, else /var/lib/nestlab for root, else
// $XDG_DATA_HOME/nestlab, else $HOME/.local/share/nestlab (HOME from the
// environment, else the password database).
std::string default_state_dir();

// Whether a kernel's socket directory can be trusted, before nestlabd
// listens in it and before a client connects through it. Whoever can write
// to that directory can put a socket of their own there, and a client would
// then hand its images and keystrokes to them. The session fallback
// /tmp/nestlab-$UID is the case that matters: anyone may make it first.
//   KernelSide: the directory nestlabd listens in. Session mode (not root):
//               owned by this user with mode 0700. System mode: owned by
//               root and writable by nobody else.
//   ClientSide: the directory a client connects through: owned by this
//               user or by root, and writable by nobody else.
// Either way it must be a directory, not a link to one. The error says
// what is wrong and what to do.
enum class DirUse { KernelSide, ClientSide };
HostResult<void> check_socket_dir(const std::string& dir, DirUse use);

// The directory part of a socket path ("." when there is none).
std::string socket_dir_of(const std::string& socket_path);

// The value of environment variable `name`, or "" when unset or empty.
std::string env_string(const char* name);

}  // namespace nestlab
