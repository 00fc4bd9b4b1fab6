#include "userworld/cgroup_v2.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nestlab::userworld::cgroup2 {
namespace {

std::string dir_of(const std::string& root, const std::string& path) {
  return path.empty() ? root : root + "/" + path;
}

std::vector<std::string> words_in(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// 0 or errno. cgroup files take one value per write(2).
int write_value(const std::string& file, const std::string& value) {
  int fd = ::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return errno;
  int err =
      ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size()) ? 0 : errno;
  ::close(fd);
  return err;
}

bool has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

std::vector<std::string> controllers(const std::string& root, const std::string& path) {
  return words_in(dir_of(root, path) + "/cgroup.controllers");
}

std::vector<std::string> delegate(const std::string& root, const std::string& path,
                                  const std::vector<std::string>& wanted) {
  std::string dir = dir_of(root, path);
  std::vector<std::string> offered = controllers(root, path);
  for (const auto& c : wanted) {
    if (!has(offered, c) || has(words_in(dir + "/cgroup.subtree_control"), c)) continue;
    // EBUSY: the group has processes of its own ("no internal processes");
    // the child then simply lacks the controller, which the caller reports.
    (void)write_value(dir + "/cgroup.subtree_control", "+" + c);
  }
  std::vector<std::string> enabled;
  auto now = words_in(dir + "/cgroup.subtree_control");
  for (const auto& c : wanted)
    if (has(now, c)) enabled.push_back(c);
  return enabled;
}

HostResult<std::vector<std::string>> make_group(const std::string& root, const std::string& path,
                                                const std::vector<std::string>& wanted) {
  if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos)
    return make_error(ErrorCode::InvalidArgument, "bad cgroup path \"" + path + "\"");
  std::string ancestor;
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(0, slash);
    delegate(root, ancestor, wanted);
    std::string dir = dir_of(root, part);
    bool leaf = slash == std::string::npos;
    if (leaf) ::rmdir(dir.c_str());  // an empty leftover; one with processes stays (EBUSY)
    if (::mkdir(dir.c_str(), 0755) < 0 && !(errno == EEXIST && !leaf)) {
      int err = errno;
      std::string why = std::strerror(err);
      if (err == EEXIST) why = "a group of that name still has processes";
      return make_error(err == EACCES || err == EPERM ? ErrorCode::PermissionDenied : ErrorCode::Io,
                        "cannot create cgroup " + dir + ": " + why);
    }
    if (leaf) break;
    ancestor = part;
    start = slash + 1;
  }
  std::vector<std::string> got;
  auto offered = controllers(root, path);
  for (const auto& c : wanted)
    if (has(offered, c)) got.push_back(c);
  return got;
}

HostResult<void> attach(const std::string& root, const std::string& path, pid_t pid) {
  std::string file = dir_of(root, path) + "/cgroup.procs";
  int err = write_value(file, std::to_string(pid));
  if (err != 0)
    return make_error(
        err == EACCES || err == EPERM ? ErrorCode::PermissionDenied : ErrorCode::Io,
        "cannot move pid " + std::to_string(pid) + " into " + file + ": " + std::strerror(err));
  return {};
}

HostResult<void> remove(const std::string& root, const std::string& path) {
  std::string dir = dir_of(root, path);
  if (::rmdir(dir.c_str()) < 0 && errno != ENOENT)
    return errno_error("cannot remove cgroup " + dir);
  return {};
}

std::vector<pid_t> processes(const std::string& root, const std::string& path) {
  std::vector<pid_t> pids;
  std::ifstream in(dir_of(root, path) + "/cgroup.procs");
  for (long pid; in >> pid;)
    if (pid > 0) pids.push_back(static_cast<pid_t>(pid));
  return pids;
}

std::vector<std::string> children(const std::string& root, const std::string& path) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir_of(root, path).c_str());
  if (!d) return names;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    struct stat st;
    std::string full = dir_of(root, path) + "/" + e->d_name;
    if (::stat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) names.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace nestlab::userworld::cgroup2
