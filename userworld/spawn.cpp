#include "userworld/spawn.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "userworld/child_setup.h"

extern char** environ;

namespace nestlab::userworld {
namespace {

constexpr int kMaxFds = 64;
constexpr int kMaxTarget = 255;  // below child_setup's park area

HostResult<void> write_file(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno_error("open " + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return errno_error("write " + path);
  return {};
}

// Session mode: the caller becomes root of the new user namespace, which
// owns the other new namespaces, so the child may mount /proc, set its
// hostname and configure its loopback without any host privilege.
HostResult<void> write_id_maps(pid_t pid, uid_t uid, gid_t gid) {
  std::string proc = "/proc/" + std::to_string(pid);
  TRY(write_file(proc + "/setgroups", "deny"));
  TRY(write_file(proc + "/uid_map", "0 " + std::to_string(uid) + " 1\n"));
  TRY(write_file(proc + "/gid_map", "0 " + std::to_string(gid) + " 1\n"));
  return {};
}

// Reads the child's report pipe to EOF: empty means exec succeeded.
std::string read_report(int fd) {
  std::string text;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

HostResult<UniqueFd> make_pipe(UniqueFd* write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errno_error("pipe2");
  write_end->reset(p[1]);
  return UniqueFd(p[0]);
}

}  // namespace

HostResult<Child> spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return make_error(ErrorCode::InvalidArgument, "spawn: empty argv");
  if (spec.fds.size() > kMaxFds)
    return make_error(ErrorCode::InvalidArgument, "spawn: too many fds");
  for (const auto& m : spec.fds)
    if (m.target < 0 || m.target > kMaxTarget || m.source < 0)
      return make_error(ErrorCode::InvalidArgument, "spawn: fd mapping out of range");

  Child child;
  child.user_namespace = spec.user_namespace == UserNamespace::Always ||
                         (spec.user_namespace == UserNamespace::Auto && ::geteuid() != 0);
  if (spec.identity) {
    if (child.user_namespace || ::geteuid() != 0)
      return make_error(ErrorCode::InvalidArgument,
                        "spawn: a host identity needs a root caller and no user namespace");
    if (spec.identity->uid == 0 || spec.identity->gid == 0)
      return make_error(ErrorCode::InvalidArgument, "spawn: the host identity must not be root");
  }
  if (spec.cgroup) {
    auto cg = Cgroup::create(spec.cgroup->path, spec.cgroup->limits);
    if (cg.is_ok()) {
      child.cgroup = cg.release_value();
      // The group limits memory only with the memory controller (a v2
      // parent may not have delegated it); otherwise RLIMIT_AS does.
      if (child.cgroup->has("memory")) {
        child.limits = LimitKind::Cgroup;
      } else {
        child.cgroup_error = "the memory controller is not available to " + spec.cgroup->path;
      }
    } else {
      child.cgroup_error = cg.error().message;
    }
  }

  // Everything the child needs is built before clone: it only makes system
  // calls between clone and exec.
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int sources[kMaxFds], targets[kMaxFds];
  for (size_t i = 0; i < spec.fds.size(); ++i) {
    sources[i] = spec.fds[i].source;
    targets[i] = spec.fds[i].target;
  }
  UniqueFd sync_write, report_write;
  UniqueFd sync_read = TRY(make_pipe(&sync_write));
  UniqueFd report_read = TRY(make_pipe(&report_write));
  JailPlan jail{};
  if (spec.jail) jail = spec.jail->plan();
  // Memory is bounded by the cgroup when there is one; otherwise by the
  // address-space rlimit, which is all an undelegated session user has.
  uint64_t address_space = child.limits == LimitKind::Cgroup ? 0 : spec.address_space;
  ChildPlan plan{spec.path.c_str(),
                 argv.data(),
                 environ,
                 spec.hostname.c_str(),
                 sources,
                 targets,
                 static_cast<int>(spec.fds.size()),
                 sync_read.get(),
                 report_write.get(),
                 spec.jail ? &jail : nullptr,
                 spec.open_files,
                 address_space,
                 spec.processes,
                 spec.identity.has_value(),
                 spec.identity ? spec.identity->uid : 0,
                 spec.identity ? spec.identity->gid : 0};

  uint64_t flags =
      CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD;
  if (child.user_namespace) flags |= CLONE_NEWUSER;
  int pidfd = -1;
  clone_args args{};
  args.flags = flags;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  // clone3 without a stack behaves like fork: the child continues here on a
  // copy of our stack. It is the first process of its PID namespace.
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return errno_error("clone3 (new namespaces)");
  if (pid == 0) {
    // Our copy of the write end would keep the child waiting forever if the
    // parent died before saying go.
    ::close(sync_write.get());
    ::close(report_read.get());
    run_child(plan);
  }
  child.pid = static_cast<pid_t>(pid);
  child.pidfd.reset(pidfd);
  sync_read.reset();
  report_write.reset();

  auto abort_child = [&](Error e) -> HostResult<Child> {
    sync_write.reset();  // the child sees EOF and exits
    kill_and_reap(child);
    return Err<Error>{std::move(e)};
  };
  if (child.user_namespace) {
    auto maps = write_id_maps(child.pid, ::geteuid(), ::getegid());
    if (maps.is_error()) return abort_child(maps.release_error());
  }
  if (child.cgroup) {
    auto attached = child.cgroup->attach(child.pid);
    if (attached.is_error()) return abort_child(attached.release_error());
  }
  char go = 'g';
  if (::write(sync_write.get(), &go, 1) != 1) return abort_child(errno_error("start child").error);
  sync_write.reset();

  std::string report = read_report(report_read.get());
  if (!report.empty()) {
    kill_and_reap(child);
    return make_error(ErrorCode::Io, "userworld set-up failed: " + report);
  }
  return child;
}

int kill_and_reap(Child& child) {
  if (!child.pidfd) return 0;
  ::syscall(SYS_pidfd_send_signal, child.pidfd.get(), SIGKILL, nullptr, 0);
  siginfo_t info{};
  int status = 0;
  while (::waitid(static_cast<idtype_t>(P_PIDFD), child.pidfd.get(), &info, WEXITED) < 0 &&
         errno == EINTR) {
  }
  if (info.si_code == CLD_EXITED)
    status = W_EXITCODE(info.si_status, 0);
  else
    status = info.si_status;  // the signal number
  child.pidfd.reset();
  return status;
}

}  // namespace nestlab::userworld
