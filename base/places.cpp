#include "base/places.h"

#include <pwd.h>
#include <unistd.h>

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

std::string default_state_dir() {
  if (auto s = env_string("NESTLAB_STATE_DIR"); !s.empty()) return s;
  if (::geteuid() == 0) return "/var/lib/nestlab";
  if (auto d = env_string("XDG_DATA_HOME"); !d.empty()) return d + "/nestlab";
  return home_dir() + "/.local/share/nestlab";
}

}  // namespace nestlab
