#include "userworld/jail.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

namespace nestlab::userworld {
namespace {

// Merged-/usr hosts (Debian 12) reach /bin, /lib, ... through these links;
// the jail has the same links so every path means what it means outside.
constexpr const char* kTopLinks[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return "";
  return buf;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Flags the kernel locks on a bind mount made in a user namespace: a
// read-only remount must repeat them or it fails with EPERM.
unsigned long locked_flags(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) return 0;
  unsigned long keep = ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | ST_RELATIME;
  return st.f_flag & keep;
}

// The absolute paths of the shared objects `path` loads, as ldd reports
// them; cached per executable, since QEMU's list takes ldd ~30 ms.
HostResult<std::vector<std::string>> libraries_of(const std::string& path) {
  static std::map<std::string, std::pair<int64_t, std::vector<std::string>>> cache;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return errno_error("stat " + path);
  auto hit = cache.find(path);
  if (hit != cache.end() && hit->second.first == st.st_mtime) return hit->second.second;
  if (path.find('\'') != std::string::npos)
    return make_error(ErrorCode::InvalidArgument, "a quote in an executable path: " + path);
  FILE* ldd = ::popen(("ldd '" + path + "' 2>/dev/null").c_str(), "re");
  if (!ldd) return errno_error("ldd " + path);
  std::vector<std::string> libs;
  char line[1024];
  while (std::fgets(line, sizeof line, ldd)) {
    std::istringstream words(line);
    for (std::string word; words >> word;)
      if (word[0] == '/') libs.push_back(word);
  }
  ::pclose(ldd);  // static executables make ldd fail, with no libraries
  cache[path] = {st.st_mtime, libs};
  return libs;
}

}  // namespace

void JailLayout::add_top_symlinks() {
  if (m_symlinks_added) return;
  m_symlinks_added = true;
  for (const char* top : kTopLinks) {
    char target[PATH_MAX];
    ssize_t n = ::readlink(top, target, sizeof target - 1);
    if (n <= 0) continue;
    m_symlinks.emplace_back(std::string(target, static_cast<size_t>(n)), m_root + top);
  }
}

void JailLayout::add_dirs_for(const std::string& jail_path) {
  std::string dir;
  size_t pos = 1;
  while ((pos = jail_path.find('/', pos)) != std::string::npos) {
    dir = m_root + jail_path.substr(0, pos);
    bool known = false;
    for (const auto& d : m_dirs) known |= d == dir;
    if (!known) m_dirs.push_back(dir);
    ++pos;
  }
}

HostResult<void> JailLayout::add_path(const std::string& path) {
  add_top_symlinks();
  std::string source = real_path(path);
  if (source.empty()) return errno_error("cannot put " + path + " into the jail");
  // The file keeps its name at the real location of its directory, so a
  // library reached through a link (/lib64/ld-linux...) is found both ways.
  std::string dir = real_path(dir_of(path));
  std::string name = path.substr(path.rfind('/') + 1);
  std::string jail_path = (dir == "/" ? "" : dir) + "/" + name;
  for (const auto& b : m_binds)
    if (b.target == m_root + jail_path) return {};
  struct stat st;
  if (::stat(source.c_str(), &st) != 0) return errno_error("stat " + source);
  bool directory = S_ISDIR(st.st_mode);
  add_dirs_for(jail_path);
  if (directory)
    add_dirs_for(jail_path + "/");
  else
    m_files.push_back(m_root + jail_path);
  m_binds.push_back({source, m_root + jail_path, locked_flags(source), directory});
  m_sources.push_back(source);
  return {};
}

void JailLayout::add_optional(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) (void)add_path(path);
}

HostResult<void> JailLayout::add_executable(const std::string& path) {
  TRY(add_path(path));
  for (const auto& lib : TRY(libraries_of(path))) TRY(add_path(lib));
  return {};
}

JailPlan JailLayout::plan() {
  add_top_symlinks();
  m_dir_ptrs.clear();
  m_file_ptrs.clear();
  m_symlink_view.clear();
  m_bind_view.clear();
  for (const auto& d : m_dirs) m_dir_ptrs.push_back(d.c_str());
  for (const auto& f : m_files) m_file_ptrs.push_back(f.c_str());
  for (const auto& [target, path] : m_symlinks)
    m_symlink_view.push_back({target.c_str(), path.c_str()});
  for (const auto& b : m_binds)
    m_bind_view.push_back({b.source.c_str(), b.target.c_str(), b.flags, b.directory});
  return JailPlan{m_root.c_str(),
                  m_proc_dir.c_str(),
                  m_tmp_dir.c_str(),
                  m_dir_ptrs.data(),
                  static_cast<int>(m_dir_ptrs.size()),
                  m_file_ptrs.data(),
                  static_cast<int>(m_file_ptrs.size()),
                  m_symlink_view.data(),
                  static_cast<int>(m_symlink_view.size()),
                  m_bind_view.data(),
                  static_cast<int>(m_bind_view.size())};
}

std::vector<std::string> JailLayout::bound_paths() const { return m_sources; }

}  // namespace nestlab::userworld
