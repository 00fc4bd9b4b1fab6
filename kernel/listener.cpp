#include "kernel/listener.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/places.h"

namespace nestlab::kernel {
namespace {

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  return addr;
}

// True if something accepts connections on path.
bool someone_listens(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  sockaddr_un addr = address_of(path);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace

HostResult<void> make_dirs(const std::string& dir, mode_t mode) {
  if (dir.empty()) return {};
  size_t pos = 0;
  while ((pos = dir.find('/', pos + 1)) != std::string::npos) {
    std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), 0755) < 0 && errno != EEXIST) return errno_error("mkdir " + part);
  }
  if (::mkdir(dir.c_str(), mode) < 0) {
    if (errno != EEXIST) return errno_error("mkdir " + dir);
    return {};
  }
  if (::chmod(dir.c_str(), mode) < 0) return errno_error("chmod " + dir);
  return {};
}

HostResult<ListeningSocket> open_listening_socket(const std::string& path, Mode mode,
                                                  std::optional<gid_t> group) {
  std::string dir = path.substr(0, path.rfind('/'));
  TRY(make_dirs(dir, mode == Mode::System ? 0755 : 0700));
  // Made by us just now or found there: either way it must be ours alone
  // (the session fallback /tmp/nestlab-$UID may have been made by anyone).
  TRY(check_socket_dir(dir, DirUse::KernelSide));

  ListeningSocket s;
  s.path = path;
  std::string lock_path = path + ".lock";
  s.lock.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!s.lock) return errno_error("open " + lock_path);
  if (::flock(s.lock.get(), LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK)
      return nestlab::make_error(
          ErrorCode::Unavailable,
          "another nestlabd is already running on " + path + " (it holds " + lock_path + ")");
    return errno_error("flock " + lock_path);
  }
  // We hold the lock, so a kernel answering here can only be one started
  // without it (an older build); refuse rather than steal its socket.
  if (someone_listens(path))
    return nestlab::make_error(ErrorCode::Unavailable,
                               "another nestlabd is already answering on " + path);
  if (::unlink(path.c_str()) == 0) {
    // A socket file left by a kernel that died; nobody listens on it.
  } else if (errno != ENOENT) {
    return errno_error("remove stale socket " + path);
  }

  s.fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s.fd) return errno_error("socket");
  // Bound and listening under a temporary name, then renamed into place:
  // whoever sees the socket file can connect at once (clients and tests
  // that wait for the file would otherwise meet ECONNREFUSED between bind
  // and listen).
  std::string bound_path = path + ".new";
  if (bound_path.size() >= sizeof(sockaddr_un::sun_path)) bound_path = path;
  ::unlink(bound_path.c_str());
  sockaddr_un addr = address_of(bound_path);
  // Create the socket file with its final mode: no window where others
  // could connect to a more permissive one.
  mode_t old_umask = ::umask(mode == Mode::System ? 0117 : 0177);
  int bound = ::bind(s.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old_umask);
  if (bound < 0) return errno_error("bind " + bound_path);
  if (::chmod(bound_path.c_str(), mode == Mode::System ? 0660 : 0600) < 0)
    return errno_error("chmod " + bound_path);
  if (group && ::chown(bound_path.c_str(), static_cast<uid_t>(-1), *group) < 0)
    return errno_error("chgrp " + bound_path);
  if (::listen(s.fd.get(), 64) < 0) return errno_error("listen " + path);
  if (bound_path != path && ::rename(bound_path.c_str(), path.c_str()) < 0)
    return errno_error("rename " + bound_path + " to " + path);
  return s;
}

}  // namespace nestlab::kernel
