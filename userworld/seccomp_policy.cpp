#include "userworld/seccomp_policy.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace nestlab::userworld {
namespace {

// Both processes: memory, time, signals, and I/O on file descriptors they
// already hold. Nothing here names a path, a new socket or another process.
constexpr const char* kCommon[] = {"read",
                                   "write",
                                   "readv",
                                   "writev",
                                   "pread64",
                                   "pwrite64",
                                   "preadv",
                                   "pwritev",
                                   "lseek",
                                   "close",
                                   "dup",
                                   "dup3",
                                   "fcntl",
                                   "fstat",
                                   "newfstatat",
                                   "poll",
                                   "ppoll",
                                   "select",
                                   "pselect6",
                                   "epoll_create1",
                                   "epoll_ctl",
                                   "epoll_wait",
                                   "epoll_pwait",
                                   "eventfd2",
                                   "timerfd_create",
                                   "timerfd_settime",
                                   "timerfd_gettime",
                                   "recvmsg",
                                   "sendmsg",
                                   "recvfrom",
                                   "sendto",
                                   "shutdown",
                                   "getsockopt",
                                   "mmap",
                                   "munmap",
                                   "mremap",
                                   "mprotect",
                                   "madvise",
                                   "brk",
                                   "futex",
                                   "set_robust_list",
                                   "rseq",
                                   "rt_sigaction",
                                   "rt_sigprocmask",
                                   "rt_sigreturn",
                                   "rt_sigtimedwait",
                                   "sigaltstack",
                                   "signalfd4",
                                   "getpid",
                                   "gettid",
                                   "getppid",
                                   "clock_gettime",
                                   "clock_getres",
                                   "clock_nanosleep",
                                   "nanosleep",
                                   "gettimeofday",
                                   "sched_yield",
                                   "getrandom",
                                   "exit",
                                   "exit_group",
                                   "restart_syscall",
                                   "ioctl",
                                   "ftruncate",
                                   "getrlimit",
                                   "prlimit64",
                                   "uname",
                                   "membarrier"};

// The highvisor once QEMU runs: it reaps and kills only its own children
// (it is PID 1 of its namespace, so it sees nothing else), and accepts the
// next kernel's control connection on the listening socket nestlabd gave
// it (it can neither make nor bind nor connect a socket). fdatasync: a
// guest's virtio-blk FLUSH on a disk fd the user passed down (pread64 and
// pwrite64, its reads and writes, are common already).
constexpr const char* kHighvisor[] = {"wait4", "waitid", "kill", "tgkill", "accept4", "fdatasync"};

// QEMU from exec on: loading itself and its libraries inside the jail (so
// opening files, which the jail confines), its own -sandbox filter, NUMA
// and affinity queries. Threads, execve and io_uring have rules of their
// own (add_process_rules).
constexpr const char* kQemu[] = {"access",
                                 "faccessat",
                                 "faccessat2",
                                 "openat",
                                 "readlink",
                                 "readlinkat",
                                 "getdents64",
                                 "fchdir",
                                 "getcwd",
                                 "statfs",
                                 "fstatfs",
                                 "statx",
                                 "arch_prctl",
                                 "set_tid_address",
                                 "prctl",
                                 "seccomp",
                                 "sched_getaffinity",
                                 "sched_setaffinity",
                                 "sched_getparam",
                                 "sched_getscheduler",
                                 "get_mempolicy",
                                 "set_mempolicy",
                                 "mbind",
                                 "sysinfo",
                                 "memfd_create",
                                 "pipe2",
                                 "getsockname",
                                 "getpeername",
                                 "setsockopt",
                                 "socketpair",
                                 "tkill",
                                 "tgkill",
                                 "getuid",
                                 "geteuid",
                                 "getgid",
                                 "getegid",
                                 "getresuid",
                                 "getresgid",
                                 "umask",
                                 "getrusage",
                                 "times",
                                 "fallocate",
                                 "fsync",
                                 "fdatasync",
                                 "msync",
                                 "mlock",
                                 "munlock",
                                 "get_robust_list",
                                 "wait4",
                                 "sched_setscheduler",
                                 "getpriority",
                                 "setpriority"};

// Every flag of clone(2) that makes a namespace. (CLONE_NEWTIME only exists
// for clone3 and unshare: in clone's flags that bit is part of the exit
// signal.)
constexpr uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

// NESTLAB_SECCOMP_DENY=a,qemu:b,highvisor:c leaves syscalls out of both
// lists or of one. It can only make a policy stricter; tests use it to
// provoke a real violation.
bool denied_by_env(const char* name, const char* process) {
  const char* env = std::getenv("NESTLAB_SECCOMP_DENY");
  if (!env) return false;
  std::string list = std::string(",") + env + ",";
  return list.find(std::string(",") + name + ",") != std::string::npos ||
         list.find(std::string(",") + process + ":" + name + ",") != std::string::npos;
}

HostResult<void> allow(scmp_filter_ctx ctx, const char* name, const char* process) {
  if (denied_by_env(name, process)) return {};
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return {};  // not on this architecture
  int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  if (ret < 0)
    return make_error(ErrorCode::Internal,
                      std::string("seccomp rule for ") + name + ": " + std::strerror(-ret));
  return {};
}

HostResult<void> add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, const char* what,
                          unsigned count, const scmp_arg_cmp* cmp) {
  int ret = seccomp_rule_add_array(ctx, action, nr, count, cmp);
  if (ret < 0)
    return make_error(ErrorCode::Internal,
                      std::string("seccomp rule for ") + what + ": " + std::strerror(-ret));
  return {};
}

// Rules with conditions, the same for both processes unless said:
//  - clone only makes threads: CLONE_THREAD set and no CLONE_NEW* flag, so
//    neither a new process nor a new namespace (a user namespace would give
//    back every capability inside it). clone3 passes its flags in memory a
//    filter cannot read, so it fails with ENOSYS and glibc falls back to
//    clone, which the filter can check.
//  - io_uring does its I/O from kernel workers the filter never sees (a
//    socket or an open submitted through a ring is not checked against the
//    rules here), so it is not there at all: ENOSYS, which QEMU takes as
//    "no io_uring" and falls back to epoll; the highvisor never uses it, so
//    there it is a violation like any unlisted call.
//  - execve: QEMU's filter is loaded before the exec that starts QEMU, so
//    the exec itself must get through, and nothing after it may. It is left
//    to the default action (a user notification to the highvisor), which
//    lets exactly the first one continue (allow_first_exec) and treats any
//    later one as a violation. In log mode that exec is simply allowed.
HostResult<void> add_process_rules(scmp_filter_ctx ctx, bool highvisor, bool log_mode,
                                   const char* process) {
  scmp_arg_cmp thread_only =
      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | kNamespaceFlags, CLONE_THREAD);
  if (!denied_by_env("clone", process))
    TRY(add_rule(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), "clone", 1, &thread_only));
  TRY(add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), "clone3", 0, nullptr));
  if (!highvisor) {
    for (int nr : {SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register)})
      TRY(add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, "io_uring", 0, nullptr));
    if (log_mode) TRY(allow(ctx, "execve", process));
  }
  return {};
}

HostResult<Ctx> build(uint32_t default_action, bool highvisor) {
  Ctx ctx(seccomp_init(default_action));
  if (!ctx) return make_error(ErrorCode::Unavailable, "seccomp_init failed (no seccomp?)");
  const char* process = highvisor ? "highvisor" : "qemu";
  for (const char* name : kCommon) TRY(allow(ctx.get(), name, process));
  if (highvisor)
    for (const char* name : kHighvisor) TRY(allow(ctx.get(), name, process));
  else
    for (const char* name : kQemu) TRY(allow(ctx.get(), name, process));
  TRY(add_process_rules(ctx.get(), highvisor, default_action == SCMP_ACT_LOG, process));
  return ctx;
}

}  // namespace

SeccompMode seccomp_mode_from_env() {
  const char* env = std::getenv("NESTLAB_SECCOMP");
  return env && std::strcmp(env, "log") == 0 ? SeccompMode::Log : SeccompMode::Enforce;
}

HostResult<void> install_highvisor_filter(SeccompMode mode) {
  Ctx ctx = TRY(build(mode == SeccompMode::Log ? SCMP_ACT_LOG : SCMP_ACT_TRAP, true));
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1);
  int ret = seccomp_load(ctx.get());
  if (ret < 0)
    return make_error(ErrorCode::Io, std::string("cannot load the highvisor's seccomp filter: ") +
                                         std::strerror(-ret));
  return {};
}

HostResult<std::vector<sock_filter>> qemu_filter_program(SeccompMode mode) {
  Ctx ctx = TRY(build(mode == SeccompMode::Log ? SCMP_ACT_LOG : SCMP_ACT_NOTIFY, false));
  int fd = ::memfd_create("qemu-seccomp", MFD_CLOEXEC);
  if (fd < 0) return errno_error("memfd for the QEMU seccomp filter");
  int ret = seccomp_export_bpf(ctx.get(), fd);
  off_t size = ::lseek(fd, 0, SEEK_END);
  std::vector<sock_filter> program(size > 0 ? static_cast<size_t>(size) / sizeof(sock_filter) : 0);
  bool ok = ret == 0 && size > 0 &&
            ::pread(fd, program.data(), program.size() * sizeof(sock_filter), 0) == size;
  ::close(fd);
  if (!ok)
    return make_error(ErrorCode::Internal,
                      std::string("cannot build QEMU's seccomp filter: ") + std::strerror(-ret));
  return program;
}

int load_filter(const std::vector<sock_filter>& program, bool with_listener) {
  sock_fprog prog{static_cast<unsigned short>(program.size()),
                  const_cast<sock_filter*>(program.data())};
  unsigned flags = with_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  long ret = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (ret < 0) return -1;
  return with_listener ? static_cast<int>(ret) : 0;
}

std::string syscall_name(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
  if (!name) return "syscall " + std::to_string(nr);
  std::string s(name);
  std::free(name);
  return s;
}

}  // namespace nestlab::userworld
