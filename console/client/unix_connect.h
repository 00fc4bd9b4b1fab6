// Connecting an AF_UNIX stream socket to the kernel's path. Sending and
// receiving lines uses base/json_line_socket.h, shared with nestlabd.
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"

namespace nestlab::client {

// ErrorCode::Unavailable when nothing listens at `path` (no socket file or
// connection refused), so callers can decide to start a kernel;
// PermissionDenied when the socket is not ours to use, when its directory
// could be someone else's (base/places.h, check_socket_dir), or when the
// process that answers runs as neither this user nor root (SO_PEERCRED):
// only those can be this user's kernel.
HostResult<UniqueFd> connect_unix(const std::string& path);

// The SO_PEERCRED check above, for a socket already connected.
HostResult<void> check_peer(int fd, const std::string& path);

}  // namespace nestlab::client
