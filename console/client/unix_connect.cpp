#include "console/client/unix_connect.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace nestlab::client {

HostResult<UniqueFd> connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    return make_error(ErrorCode::InvalidArgument,
                      "socket path '" + path + "' is empty or too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);

  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error("socket");
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int saved = errno;
    std::string why = "cannot connect to " + path + ": " + std::strerror(saved);
    if (saved == ENOENT || saved == ECONNREFUSED) return make_error(ErrorCode::Unavailable, why);
    if (saved == EACCES || saved == EPERM) return make_error(ErrorCode::PermissionDenied, why);
    return make_error(ErrorCode::Io, why);
  }
  return fd;
}

}  // namespace nestlab::client
