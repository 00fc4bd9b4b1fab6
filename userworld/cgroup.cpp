#include "userworld/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "base/unique_fd.h"
#include "userworld/cgroup_v2.h"

namespace nestlab::userworld {
namespace {

// Controllers a VHV is accounted and limited by. cpuacct is v1 only.
constexpr const char* kWanted[] = {"cpu", "cpuacct", "memory", "pids"};
const std::vector<std::string> kWantedV2 = {"cpu", "memory", "pids"};
constexpr const char* kRoot = "/sys/fs/cgroup";

HostResult<void> ensure_init() {
  static int status = cgroup_init();
  if (status != 0)
    return make_error(ErrorCode::Unavailable,
                      std::string("libcgroup cannot initialise: ") + cgroup_strerror(status));
  return {};
}

Err<Error> cg_error(const std::string& what, int ret) {
  ErrorCode code = ret == ECGROUPNOTOWNER ? ErrorCode::PermissionDenied : ErrorCode::Io;
  return make_error(code, what + ": " + cgroup_strerror(ret));
}

bool mounted(const char* controller) {
  char* mount_point = nullptr;
  int ret = cgroup_get_subsys_mount_point(controller, &mount_point);
  std::free(mount_point);
  return ret == 0;
}

// v1: the hierarchies of kWanted the host mounts.
HostResult<std::vector<std::string>> mounted_controllers() {
  TRY(ensure_init());
  std::vector<std::string> controllers;
  for (const char* name : kWanted)
    if (mounted(name)) controllers.emplace_back(name);
  if (controllers.empty())
    return make_error(ErrorCode::Unavailable,
                      "no cgroup controller of cpu, memory, pids is mounted");
  return controllers;
}

struct cgroup* describe(const std::string& path, const std::vector<std::string>& controllers) {
  struct cgroup* cg = cgroup_new_cgroup(path.c_str());
  if (!cg) return nullptr;
  for (const auto& name : controllers) cgroup_add_controller(cg, name.c_str());
  return cg;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool v2() { return host_cgroup_version() == CgroupVersion::V2; }

// v1: the directory of `path` in one hierarchy every VHV group is in, for
// listing processes and children.
std::string v1_dir(const std::string& path) {
  for (const char* c : {"pids", "memory", "cpu", "cpuacct"})
    if (exists(std::string(kRoot) + "/" + c)) return std::string(kRoot) + "/" + c + "/" + path;
  return std::string(kRoot) + "/memory/" + path;
}

std::vector<pid_t> own_processes(const std::string& path) {
  if (v2()) return cgroup2::processes(kRoot, path);
  std::vector<pid_t> pids;
  std::ifstream in(v1_dir(path) + "/cgroup.procs");
  for (long pid; in >> pid;)
    if (pid > 0) pids.push_back(static_cast<pid_t>(pid));
  return pids;
}

// Whether `pid` is in `path` or below (its /proc/PID/cgroup says so).
bool in_group(pid_t pid, const std::string& path) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(":/");
    if (colon == std::string::npos) continue;
    std::string group = line.substr(colon + 2);
    if (group == path || group.rfind(path + "/", 0) == 0) return true;
  }
  return false;
}

void remove_tree(const std::string& path) {
  for (const auto& child : cgroup_children(path)) remove_tree(path + "/" + child);
  remove_cgroup_if_empty(path);
}

}  // namespace

bool cgroup_v2_unified() {
  struct stat st;
  return ::stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
}

CgroupVersion host_cgroup_version() {
  return cgroup_v2_unified() ? CgroupVersion::V2 : CgroupVersion::V1;
}

bool cgroup_exists(const std::string& path) {
  CgroupVersion v = host_cgroup_version();
  if (v == CgroupVersion::V2) return exists(std::string(kRoot) + "/" + path + "/cgroup.procs");
  return exists(cgroup_file(kRoot, v, "memory", path, "")) ||
         exists(cgroup_file(kRoot, v, "pids", path, ""));
}

HostResult<void> apply_cgroup_limits(const std::string& path, const CgroupLimits& limits) {
  return write_cgroup_limits(kRoot, host_cgroup_version(), path, limits);
}

HostResult<void> ensure_cgroup(const std::string& path, const CgroupLimits& limits) {
  if (v2()) {
    if (!cgroup_exists(path)) TRY(cgroup2::make_group(kRoot, path, kWantedV2));
    // Its children are the VHVs: they need the controllers too.
    cgroup2::delegate(kRoot, path, kWantedV2);
    return apply_cgroup_limits(path, limits);
  }
  auto controllers = TRY(mounted_controllers());
  if (!cgroup_exists(path)) {
    struct cgroup* cg = describe(path, controllers);
    if (!cg) return make_error(ErrorCode::Internal, "libcgroup cannot describe " + path);
    int ret = cgroup_create_cgroup(cg, 0);
    cgroup_free(&cg);
    if (ret != 0) return cg_error("cannot create cgroup " + path, ret);
  }
  return apply_cgroup_limits(path, limits);
}

void remove_cgroup_if_empty(const std::string& path) {
  if (v2()) {
    (void)cgroup2::remove(kRoot, path);  // rmdir refuses a group in use
    return;
  }
  if (ensure_init().is_error()) return;
  auto controllers = mounted_controllers();
  if (controllers.is_error()) return;
  if (struct cgroup* cg = describe(path, controllers.value())) {
    cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_IGNORE_MIGRATION | CGFLAG_DELETE_EMPTY_ONLY);
    cgroup_free(&cg);
  }
}

std::vector<std::string> cgroup_children(const std::string& path) {
  if (v2()) return cgroup2::children(kRoot, path);
  std::vector<std::string> names;
  DIR* d = ::opendir(v1_dir(path).c_str());
  if (!d) return names;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.' && e->d_type == DT_DIR) names.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<pid_t> cgroup_processes(const std::string& path) {
  std::vector<pid_t> pids = own_processes(path);
  for (const auto& child : cgroup_children(path)) {
    auto below = cgroup_processes(path + "/" + child);
    pids.insert(pids.end(), below.begin(), below.end());
  }
  return pids;
}

bool kill_cgroup(const std::string& path, int wait_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto pids = cgroup_processes(path);
    if (pids.empty()) break;
    if (std::chrono::steady_clock::now() > deadline) return false;
    for (pid_t pid : pids) {
      // Through a pidfd, checked to be in the group after it was opened,
      // so a PID reused meanwhile is never signalled.
      UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
      if (fd && in_group(pid, path))
        ::syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  remove_tree(path);
  return true;
}

HostResult<std::unique_ptr<Cgroup>> Cgroup::create(const std::string& path,
                                                   const CgroupLimits& limits) {
  if (v2()) {
    auto controllers = TRY(cgroup2::make_group(kRoot, path, kWantedV2));
    auto group = std::unique_ptr<Cgroup>(new Cgroup(path, std::move(controllers), nullptr));
    TRY(apply_cgroup_limits(path, limits));  // on failure ~Cgroup removes it
    return group;
  }
  auto controllers = TRY(mounted_controllers());
  // A leftover from a kernel that died: remove it if it is empty (rmdir
  // refuses otherwise, which is what we want).
  remove_cgroup_if_empty(path);

  struct cgroup* cg = describe(path, controllers);
  if (!cg) return make_error(ErrorCode::Internal, "libcgroup cannot describe " + path);
  int ret = cgroup_create_cgroup(cg, 0);
  if (ret != 0) {
    cgroup_free(&cg);
    return cg_error("cannot create cgroup " + path, ret);
  }
  auto group = std::unique_ptr<Cgroup>(new Cgroup(path, std::move(controllers), cg));
  TRY(apply_cgroup_limits(path, limits));  // on failure ~Cgroup removes it
  return group;
}

HostResult<std::unique_ptr<Cgroup>> Cgroup::adopt(const std::string& path) {
  if (!cgroup_exists(path)) return make_error(ErrorCode::NotFound, "no cgroup " + path);
  if (v2()) {
    std::vector<std::string> controllers;
    for (const auto& c : cgroup2::controllers(kRoot, path))
      if (std::find(kWantedV2.begin(), kWantedV2.end(), c) != kWantedV2.end())
        controllers.push_back(c);
    return std::unique_ptr<Cgroup>(new Cgroup(path, std::move(controllers), nullptr));
  }
  auto controllers = TRY(mounted_controllers());
  struct cgroup* cg = describe(path, controllers);
  if (!cg) return make_error(ErrorCode::Internal, "libcgroup cannot describe " + path);
  return std::unique_ptr<Cgroup>(new Cgroup(path, std::move(controllers), cg));
}

Cgroup::~Cgroup() { (void)remove(); }

bool Cgroup::has(const std::string& controller) const {
  return std::find(m_controllers.begin(), m_controllers.end(), controller) != m_controllers.end();
}

HostResult<void> Cgroup::attach(pid_t pid) {
  if (m_removed) return make_error(ErrorCode::Internal, "cgroup " + m_path + " was removed");
  if (!m_cg) return cgroup2::attach(kRoot, m_path, pid);
  int ret = cgroup_attach_task_pid(m_cg, pid);
  if (ret != 0)
    return cg_error("cannot move pid " + std::to_string(pid) + " into cgroup " + m_path, ret);
  return {};
}

HostResult<void> Cgroup::remove() {
  if (m_removed) return {};
  m_removed = true;
  if (!m_cg) return cgroup2::remove(kRoot, m_path);
  int ret = cgroup_delete_cgroup_ext(m_cg, CGFLAG_DELETE_IGNORE_MIGRATION);
  cgroup_free(&m_cg);
  m_cg = nullptr;
  if (ret != 0) return cg_error("cannot remove cgroup " + m_path, ret);
  return {};
}

}  // namespace nestlab::userworld
