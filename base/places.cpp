#include "base/places.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace nestlab {

namespace {

std::string home_dir() {
  if (auto h = env_string("HOME"); !h.empty()) return h;
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return "/";
}

}  // namespace

std::string env_string(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::string();
}

std::string default_socket_path() {
  if (auto s = env_string("NESTLAB_SOCKET"); !s.empty()) return s;
  if (::geteuid() == 0) return "/run/nestlab/nestlab.sock";
  if (auto r = env_string("XDG_RUNTIME_DIR"); !r.empty()) return r + "/nestlab/nestlab.sock";
  return "/tmp/nestlab-" + std::to_string(::getuid()) + "/nestlab.sock";
}

std::string socket_dir_of(const std::string& socket_path) {
  auto slash = socket_path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : socket_path.substr(0, slash);
}

HostResult<void> check_socket_dir(const std::string& dir, DirUse use) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) < 0) return errno_error("cannot check " + dir);
  uid_t me = ::geteuid();
  auto refuse = [&](const std::string& why) {
    return make_error(ErrorCode::PermissionDenied,
                      "refusing the socket directory " + dir + ": " + why +
                          "; someone else could put a socket there that pretends to be nestlabd. "
                          "Remove it (or set XDG_RUNTIME_DIR or NESTLAB_SOCKET to a place of "
                          "your own) and try again");
  };
  if (S_ISLNK(st.st_mode)) return refuse("it is a symbolic link");
  if (!S_ISDIR(st.st_mode)) return refuse("it is not a directory");
  std::string owner = "it belongs to uid " + std::to_string(st.st_uid);
  mode_t mode = st.st_mode & 07777;
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
  if (use == DirUse::KernelSide && me != 0) {
    if (st.st_uid != me) return refuse(owner + ", not to you (uid " + std::to_string(me) + ")");
    if (mode & 077) return refuse(std::string("its mode is ") + octal + ", not 0700");
    return {};
  }
  if (st.st_uid != me && st.st_uid != 0)
    return refuse(owner + ", neither to you (uid " + std::to_string(me) + ") nor to root");
  if (mode & 022) return refuse(std::string("its mode is ") + octal + ": others may write to it");
  return {};
}

std::string default_state_dir() {
  if (auto s = env_string("NESTLAB_STATE_DIR"); !s.empty()) return s;
  if (::geteuid() == 0) return "/var/lib/nestlab";
  if (auto d = env_string("XDG_DATA_HOME"); !d.empty()) return d + "/nestlab";
  return home_dir() + "/.local/share/nestlab";
}

}  // namespace nestlab
