#include "console/client/unix_connect.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/places.h"

namespace nestlab::client {

HostResult<void> check_peer(int fd, const std::string& path) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return errno_error("cannot tell who serves " + path);
  uid_t me = ::geteuid();
  if (cred.uid == me || cred.uid == 0) return {};
  return make_error(ErrorCode::PermissionDenied,
                    "refusing to talk to " + path + ": it is served by uid " +
                        std::to_string(cred.uid) + " (pid " + std::to_string(cred.pid) +
                        "), neither you (uid " + std::to_string(me) +
                        ") nor root, so it is not a nestlabd of yours or the system's; stop it "
                        "or remove the socket, or set NESTLAB_SOCKET to the right one");
}

HostResult<UniqueFd> connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    return make_error(ErrorCode::InvalidArgument,
                      "socket path '" + path + "' is empty or too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  std::string dir = socket_dir_of(path);
  struct stat st;
  if (::lstat(dir.c_str(), &st) < 0 && errno == ENOENT)
    return make_error(ErrorCode::Unavailable,
                      "cannot connect to " + path + ": no directory " + dir);
  TRY(check_socket_dir(dir, DirUse::ClientSide));

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
  TRY(check_peer(fd.get(), path));
  return fd;
}

}  // namespace nestlab::client
