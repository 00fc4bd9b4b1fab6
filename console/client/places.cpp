#include "console/client/places.h"

#include "base/places.h"

#include <filesystem>

namespace nestlab::client {

namespace {

std::string env(const char* name) { return env_string(name); }

}  // namespace

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
