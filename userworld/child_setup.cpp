#include "userworld/child_setup.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "userworld/jail_enter.h"

namespace nestlab::userworld {
namespace {

// Fds the child is given are parked at or above this number while they are
// moved into place, so a source can never be clobbered by another's target.
// spawn() refuses targets at or above it.
constexpr int kParkBase = 256;

int g_report_fd = -1;

[[noreturn]] void fail(const char* step) {
  const char* why = std::strerror(errno);
  if (g_report_fd >= 0) {
    (void)!::write(g_report_fd, step, std::strlen(step));
    (void)!::write(g_report_fd, ": ", 2);
    (void)!::write(g_report_fd, why, std::strlen(why));
  }
  ::_exit(127);
}

void close_fds_except(const int* keep, int keep_count, int report) {
  for (int fd = 3; fd < kParkBase; ++fd) {
    bool wanted = false;
    for (int i = 0; i < keep_count; ++i) wanted |= keep[i] == fd;
    if (!wanted) ::close(fd);
  }
  // Everything parked or inherited above kParkBase, except the report pipe.
  if (report > kParkBase) ::syscall(SYS_close_range, kParkBase, report - 1, 0);
  ::syscall(SYS_close_range, report + 1, ~0U, 0);
}

void bring_up_loopback() {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail("socket for loopback");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (::ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("bring up lo");
  ::close(s);
}

}  // namespace

void run_child(const ChildPlan& plan) {
  g_report_fd = plan.report_fd;

  // Wait until the parent wrote our uid/gid maps and put us in our cgroup.
  char go = 0;
  ssize_t got;
  do got = ::read(plan.sync_fd, &go, 1);
  while (got < 0 && errno == EINTR);
  if (got != 1) ::_exit(127);  // the parent gave up; it reports why
  ::close(plan.sync_fd);
  // A session of its own: the VHV outlives its kernel (a restarted one
  // re-adopts it), so the kernel's terminal hanging up or a Ctrl-C meant
  // for the kernel's process group must not reach it.
  if (::setsid() < 0) fail("setsid");

  // Mount events must not leak back to the host (shared propagation is the
  // systemd default), then /proc must show our PID namespace, not the host's.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) fail("make mounts private");
  if (plan.jail) {
    if (const char* step = enter_jail(*plan.jail)) fail(step);
  } else if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0) {
    fail("mount /proc");
  }

  if (::sethostname(plan.hostname, std::strlen(plan.hostname)) < 0) fail("sethostname");
  bring_up_loopback();

  // Move the given fds into place, then close everything else.
  int report = ::fcntl(plan.report_fd, F_DUPFD_CLOEXEC, kParkBase);
  if (report < 0) fail("park report fd");
  g_report_fd = report;
  ::close(plan.report_fd);
  int parked[64];
  for (int i = 0; i < plan.fd_count; ++i) {
    parked[i] = ::fcntl(plan.fd_sources[i], F_DUPFD_CLOEXEC, kParkBase);
    if (parked[i] < 0) fail("park fd");
  }
  for (int i = 0; i < plan.fd_count; ++i)
    if (::dup2(parked[i], plan.fd_targets[i]) < 0) fail("dup2 fd into place");
  close_fds_except(plan.fd_targets, plan.fd_count, report);
  bool stdin_given = false;
  for (int i = 0; i < plan.fd_count; ++i) stdin_given |= plan.fd_targets[i] == 0;
  if (!stdin_given) {
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0) fail("stdin from /dev/null");
    if (null_fd != 0) ::close(null_fd);
  }

  // A crashing VHV must not fill the disk with cores. (No RLIMIT_FSIZE: it
  // would cap the VHV's RAM memfd; the jail's only writable place is a
  // size-bounded tmpfs.)
  rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) < 0) fail("RLIMIT_CORE");
  if (plan.open_files) {
    rlimit nofile{plan.open_files, plan.open_files};
    if (::setrlimit(RLIMIT_NOFILE, &nofile) < 0) fail("RLIMIT_NOFILE");
  }
  if (plan.address_space) {
    rlimit as{plan.address_space, plan.address_space};
    if (::setrlimit(RLIMIT_AS, &as) < 0) fail("RLIMIT_AS");
  }
  if (plan.processes) {
    rlimit nproc{plan.processes, plan.processes};
    if (::setrlimit(RLIMIT_NPROC, &nproc) < 0) fail("RLIMIT_NPROC");
  }
  if (plan.jail || plan.switch_identity) {
    if (const char* step = drop_all_capabilities(plan.switch_identity ? plan.uid : kKeepId,
                                                 plan.switch_identity ? plan.gid : kKeepId))
      fail(step);
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("PR_SET_NO_NEW_PRIVS");
  // seccomp comes after exec: the highvisor installs its own allowlist and
  // one for QEMU (vhv/host/seccomp_policy), so neither need allow the set-up
  // calls above.

  ::execve(plan.path, plan.argv, plan.envp);
  fail(plan.path);
}

}  // namespace nestlab::userworld
