// Where things are (docs/protocols.md, "Files and places"): the kernel's
// socket, the state directory, the share directory and sibling programs.
#pragma once

#include <string>

namespace nestlab::client {

// NESTLAB_SOCKET, else /run/nestlab/nestlab.sock for root, else
// $XDG_RUNTIME_DIR/nestlab/nestlab.sock, else /tmp/nestlab-$UID/nestlab.sock.
std::string default_socket_path();

// NESTLAB_STATE_DIR, else /var/lib/nestlab for root, else
// $XDG_DATA_HOME/nestlab, else ~/.local/share/nestlab.
std::string default_state_dir();

// The directory holding the running executable (dirname of /proc/self/exe).
std::string executable_dir();

// NESTLAB_SHARE_DIR, else executable_dir()/../share/nestlab.
std::string share_dir();

// NESTLAB_KERNEL, else executable_dir()/nestlabd.
std::string kernel_executable();

}  // namespace nestlab::client
