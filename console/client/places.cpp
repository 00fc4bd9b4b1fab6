#include "console/client/places.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace nestlab::client {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::string();
}

std::string home_dir() {
  if (auto h = env("HOME"); !h.empty()) return h;
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return "/";
}

}  // namespace

std::string default_socket_path() {
  if (auto s = env("NESTLAB_SOCKET"); !s.empty()) return s;
  if (::geteuid() == 0) return "/run/nestlab/nestlab.sock";
  if (auto r = env("XDG_RUNTIME_DIR"); !r.empty()) return r + "/nestlab/nestlab.sock";
  return "/tmp/nestlab-" + std::to_string(::getuid()) + "/nestlab.sock";
}

std::string default_state_dir() {
  if (auto s = env("NESTLAB_STATE_DIR"); !s.empty()) return s;
  if (::geteuid() == 0) return "/var/lib/nestlab";
  if (auto d = env("XDG_DATA_HOME"); !d.empty()) return d + "/nestlab";
  return home_dir() + "/.local/share/nestlab";
}

std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return ".";
  return exe.parent_path().string();
}

std::string share_dir() {
  if (auto s = env("NESTLAB_SHARE_DIR"); !s.empty()) return s;
  auto dir = std::filesystem::path(executable_dir()) / ".." / "share" / "nestlab";
  return dir.lexically_normal().string();
}

std::string kernel_executable() {
  if (auto k = env("NESTLAB_KERNEL"); !k.empty()) return k;
  return executable_dir() + "/nestlabd";
}

}  // namespace nestlab::client
