#include "userworld/cgroup.h"

#include <fcntl.h>
#include <libcgroup.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace nestlab::userworld {
namespace {

// Controllers a VHV is accounted and limited by. cpuacct is v1 only.
constexpr const char* kWanted[] = {"cpu", "cpuacct", "memory", "pids"};
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

// 0 or errno.
int write_value(const std::string& file, const std::string& value) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err =
      ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size()) ? 0 : errno;
  ::close(fd);
  return err;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
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
  return exists(cgroup_file(kRoot, v, "memory", path, "")) ||
         exists(cgroup_file(kRoot, v, "pids", path, ""));
}

HostResult<void> apply_cgroup_limits(const std::string& path, const CgroupLimits& limits) {
  CgroupVersion v = host_cgroup_version();
  bool swap_accounting =
      v == CgroupVersion::V1 && exists(std::string(kRoot) + "/memory/memory.memsw.limit_in_bytes");
  auto settings = cgroup_settings(limits, v, swap_accounting);
  for (size_t i = 0; i < settings.size(); ++i) {
    const auto& s = settings[i];
    std::string file = cgroup_file(kRoot, v, s.controller, path, s.file);
    if (!exists(file)) continue;  // controller or feature not on this host
    int err = write_value(file, s.value);
    // v1 keeps memsw >= the memory limit at every moment: when the pair
    // moves up past the current memsw, memsw must go first.
    if (err == EINVAL && s.file == "memory.limit_in_bytes" && i + 1 < settings.size() &&
        settings[i + 1].file == "memory.memsw.limit_in_bytes") {
      std::string memsw = cgroup_file(kRoot, v, "memory", path, settings[i + 1].file);
      err = write_value(memsw, settings[i + 1].value);
      if (err == 0) err = write_value(file, s.value);
    }
    if (err != 0) {
      std::string hint;
      if (s.file == "cpu.cfs_quota_us" && err == EINVAL)
        hint = " (cgroup v1 refuses a CPU quota above the tenant's)";
      if (s.file.starts_with("memory.") && err == EBUSY)
        hint = " (the group already uses more than that)";
      return make_error(ErrorCode::InvalidArgument, "cannot set " + s.file + " = " + s.value +
                                                        " for " + path + ": " + std::strerror(err) +
                                                        hint);
    }
  }
  return {};
}

HostResult<void> ensure_cgroup(const std::string& path, const CgroupLimits& limits) {
  auto controllers = TRY(mounted_controllers());
  if (!cgroup_exists(path)) {
    struct cgroup* cg = describe(path, controllers);
    if (!cg) return make_error(ErrorCode::Internal, "libcgroup cannot describe " + path);
    int ret = cgroup_create_cgroup(cg, 0);
    cgroup_free(&cg);
    if (ret != 0) return cg_error("cannot create cgroup " + path, ret);
  }
  if (host_cgroup_version() == CgroupVersion::V2)
    (void)write_value(std::string(kRoot) + "/" + path + "/cgroup.subtree_control",
                      "+cpu +memory +pids");
  return apply_cgroup_limits(path, limits);
}

void remove_cgroup_if_empty(const std::string& path) {
  if (ensure_init().is_error()) return;
  auto controllers = mounted_controllers();
  if (controllers.is_error()) return;
  if (struct cgroup* cg = describe(path, controllers.value())) {
    cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_IGNORE_MIGRATION | CGFLAG_DELETE_EMPTY_ONLY);
    cgroup_free(&cg);
  }
}

HostResult<std::unique_ptr<Cgroup>> Cgroup::create(const std::string& path,
                                                   const CgroupLimits& limits) {
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
  auto controllers = TRY(mounted_controllers());
  if (!cgroup_exists(path)) return make_error(ErrorCode::NotFound, "no cgroup " + path);
  struct cgroup* cg = describe(path, controllers);
  if (!cg) return make_error(ErrorCode::Internal, "libcgroup cannot describe " + path);
  return std::unique_ptr<Cgroup>(new Cgroup(path, std::move(controllers), cg));
}

Cgroup::~Cgroup() { (void)remove(); }

HostResult<void> Cgroup::attach(pid_t pid) {
  if (!m_cg) return make_error(ErrorCode::Internal, "cgroup " + m_path + " was removed");
  int ret = cgroup_attach_task_pid(m_cg, pid);
  if (ret != 0)
    return cg_error("cannot move pid " + std::to_string(pid) + " into cgroup " + m_path, ret);
  return {};
}

HostResult<void> Cgroup::remove() {
  if (!m_cg) return {};
  int ret = cgroup_delete_cgroup_ext(m_cg, CGFLAG_DELETE_IGNORE_MIGRATION);
  cgroup_free(&m_cg);
  m_cg = nullptr;
  if (ret != 0) return cg_error("cannot remove cgroup " + m_path, ret);
  return {};
}

}  // namespace nestlab::userworld
