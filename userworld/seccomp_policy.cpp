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
// it (it can neither make nor bind nor connect a socket).
constexpr const char* kHighvisor[] = {"wait4", "waitid", "kill", "tgkill", "accept4"};

// QEMU from exec on: loading itself and its libraries inside the jail (so
// opening files, which the jail confines), threads, its own -sandbox
// filter, NUMA and affinity queries, io_uring.
constexpr const char* kQemu[] = {"execve",
                                 "access",
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
                                 "clone",
                                 "clone3",
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
                                 "io_uring_setup",
                                 "io_uring_enter",
                                 "io_uring_register",
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

HostResult<Ctx> build(uint32_t default_action, bool highvisor) {
  Ctx ctx(seccomp_init(default_action));
  if (!ctx) return make_error(ErrorCode::Unavailable, "seccomp_init failed (no seccomp?)");
  const char* process = highvisor ? "highvisor" : "qemu";
  for (const char* name : kCommon) TRY(allow(ctx.get(), name, process));
  if (highvisor) {
    for (const char* name : kHighvisor) TRY(allow(ctx.get(), name, process));
    // Threads only, never a new process: clone with CLONE_THREAD. clone3
    // keeps its flags in memory a filter cannot read, so it says ENOSYS
    // and glibc falls back to clone.
    seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
    seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  } else {
    for (const char* name : kQemu) TRY(allow(ctx.get(), name, process));
  }
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
