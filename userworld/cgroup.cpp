#include "userworld/cgroup.h"

#include <libcgroup.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace nestlab::userworld {
namespace {

// Controllers a VHV is accounted and limited by. cpuacct is v1 only.
constexpr const char* kWanted[] = {"cpu", "cpuacct", "memory", "pids"};

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

struct cgroup* describe(const std::string& path, const std::vector<std::string>& controllers,
                        const CgroupLimits& limits) {
  struct cgroup* cg = cgroup_new_cgroup(path.c_str());
  if (!cg) return nullptr;
  bool v2 = cgroup_v2_unified();
  for (const auto& name : controllers) {
    cgroup_controller* c = cgroup_add_controller(cg, name.c_str());
    if (!c) continue;
    if (name == "memory" && limits.memory_bytes)
      cgroup_add_value_uint64(c, v2 ? "memory.max" : "memory.limit_in_bytes", limits.memory_bytes);
    if (name == "pids" && limits.pids) cgroup_add_value_uint64(c, "pids.max", limits.pids);
  }
  return cg;
}

}  // namespace

bool cgroup_v2_unified() {
  struct stat st;
  return ::stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
}

HostResult<std::unique_ptr<Cgroup>> Cgroup::create(const std::string& path,
                                                   const CgroupLimits& limits) {
  TRY(ensure_init());
  std::vector<std::string> controllers;
  for (const char* name : kWanted)
    if (mounted(name)) controllers.emplace_back(name);
  if (controllers.empty())
    return make_error(ErrorCode::Unavailable,
                      "no cgroup controller of cpu, memory, pids is mounted");

  // A leftover from a kernel that died: remove it if it is empty (rmdir
  // refuses otherwise, which is what we want).
  if (struct cgroup* stale = describe(path, controllers, {})) {
    cgroup_delete_cgroup_ext(stale, CGFLAG_DELETE_IGNORE_MIGRATION | CGFLAG_DELETE_EMPTY_ONLY);
    cgroup_free(&stale);
  }

  struct cgroup* cg = describe(path, controllers, limits);
  if (!cg) return make_error(ErrorCode::Internal, "libcgroup cannot describe " + path);
  int ret = cgroup_create_cgroup(cg, 0);
  if (ret != 0) {
    cgroup_free(&cg);
    return cg_error("cannot create cgroup " + path, ret);
  }
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
