// Where the kernel's socket and nestlab's data are (docs/protocols.md,
// "Files and places").
#pragma once

#include <QString>

namespace nestlab::gui {

// NESTLAB_SOCKET, else /run/nestlab/nestlab.sock for root, else
// $XDG_RUNTIME_DIR/nestlab/nestlab.sock, else /tmp/nestlab-$UID/nestlab.sock.
QString default_socket_path();

// NESTLAB_SHARE_DIR, else ../share/nestlab beside the executable.
QString share_dir();

// The nestlab CLI (the lab runner): NESTLAB_CLI, else `nestlab` beside the
// executable (the build and the install put both in one bin directory).
QString cli_path();

}  // namespace nestlab::gui
