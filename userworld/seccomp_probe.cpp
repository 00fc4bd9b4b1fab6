// seccomp_probe: a test helper that attempts one system call under a real
// seccomp policy and reports what happened (userworld/seccomp_probe_test.cpp).
//
//   seccomp_probe highvisor CALL   installs the highvisor's filter on itself,
//                                  as nestlab-vhv does, with its SIGSYS
//                                  reporter writing to fd 3, then tries CALL
//   seccomp_probe qemu CALL        runs under QEMU's filter, which the test
//                                  loaded before exec'ing this program as
//                                  the highvisor does for QEMU, then tries CALL
//
// On fd 3 it writes "CALL=0" when the call worked, "CALL=-1 ERRNO-NAME" when
// it failed, and nothing when the policy stopped it (the highvisor's
// reporter line, or the test's notification, says which call that was).
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "userworld/seccomp_policy.h"
#include "userworld/seccomp_report.h"

namespace {

constexpr int kReportFd = 3;

void report(const std::string& call, long ret) {
  std::string line = call + "=" + std::to_string(ret < 0 ? -1 : 0);
  if (ret < 0) line += std::string(" ") + (strerrorname_np(errno) ? strerrorname_np(errno) : "?");
  line += "\n";
  (void)!::write(kReportFd, line.data(), line.size());
}

// A raw clone(2) with `flags`: a child that would exist exits at once.
long raw_clone(unsigned long flags) {
  long pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) ::_exit(0);
  if (pid > 0) ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
  return pid < 0 ? -1 : 0;
}

long attempt(const std::string& call) {
  if (call == "io_uring_setup") {
    io_uring_params params{};
    long fd = ::syscall(SYS_io_uring_setup, 8, &params);
    if (fd >= 0) ::close(static_cast<int>(fd));
    return fd < 0 ? -1 : 0;
  }
  if (call == "io_uring_enter") return ::syscall(SYS_io_uring_enter, -1, 0, 0, 0, nullptr, 0);
  if (call == "clone3") {
    clone_args args{};
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) ::_exit(0);
    if (pid > 0) ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return pid < 0 ? -1 : 0;
  }
  if (call == "clone_newuser") return raw_clone(CLONE_NEWUSER);
  if (call == "clone_newns") return raw_clone(CLONE_NEWNS);
  if (call == "clone_newnet") return raw_clone(CLONE_NEWNET);
  if (call == "clone_thread_newnet") {
    // The namespace flag next to CLONE_THREAD, which alone is allowed.
    return ::syscall(SYS_clone, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_NEWNET, nullptr,
                     nullptr, nullptr, nullptr) < 0
               ? -1
               : 0;
  }
  if (call == "fork") return raw_clone(0);
  if (call == "thread") {
    // pthread_create: clone3 first, and on ENOSYS glibc's fallback to clone.
    std::thread([] {}).join();
    return 0;
  }
  if (call == "unshare_user") return ::unshare(CLONE_NEWUSER);
  if (call == "execve") {
    char* argv[] = {const_cast<char*>("true"), nullptr};
    return ::execve("/bin/true", argv, nullptr);
  }
  errno = EINVAL;
  return -2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: seccomp_probe highvisor|qemu CALL\n", stderr);
    return 2;
  }
  std::string process = argv[1];
  std::string call = argv[2];
  if (process == "highvisor") {
    nestlab::userworld::install_sigsys_reporter(kReportFd);
    auto installed =
        nestlab::userworld::install_highvisor_filter(nestlab::userworld::SeccompMode::Enforce);
    if (installed.is_error()) {
      std::fprintf(stderr, "seccomp_probe: %s\n", installed.error().message.c_str());
      return 3;
    }
  } else if (process != "qemu") {
    std::fputs("seccomp_probe: the process is highvisor or qemu\n", stderr);
    return 2;
  }
  long ret = attempt(call);
  if (ret == -2) {
    std::fprintf(stderr, "seccomp_probe: unknown call %s\n", call.c_str());
    return 2;
  }
  report(call, ret);
  return 0;
}
