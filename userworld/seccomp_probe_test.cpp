// One test per seccomp rule that has conditions (seccomp_policy.cpp,
// add_process_rules), run the way the policies really run: the helper
// program seccomp_probe is exec'd as an unprivileged user under QEMU's
// filter (loaded before exec, with this test answering the first exec as
// the highvisor does) or installs the highvisor's filter on itself, then
// attempts one call and reports what happened.
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "base/json_line_socket.h"
#include "base/sanitizers.h"
#include "userworld/seccomp_exec.h"
#include "userworld/seccomp_policy.h"
#include "userworld/test_support.h"

namespace nestlab::userworld {
namespace {

constexpr uid_t kNobody = 65534;

struct ProbeRun {
  std::string output;    // the probe's report, or the highvisor reporter's line
  int status = -1;       // wait status
  std::string notified;  // QEMU policy: the syscall the listener saw after exec
  std::string error;     // set-up failure
};

[[noreturn]] void become_nobody_and_exec(const char* process, const char* call, int report,
                                         const std::vector<sock_filter>* qemu_filter,
                                         int listener_socket) {
  if (::dup2(report, 3) < 0) ::_exit(90);
  // As QEMU and the highvisor really run: no privilege to fall back on.
  if (::setgroups(0, nullptr) < 0 || ::setresgid(kNobody, kNobody, kNobody) < 0 ||
      ::setresuid(kNobody, kNobody, kNobody) < 0)
    ::_exit(91);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) ::_exit(92);
  if (qemu_filter) {
    int listener = load_filter(*qemu_filter, true);
    if (listener < 0) ::_exit(93);
    OutgoingLine line{"l\n", {}};
    line.fds.emplace_back(listener);
    size_t sent = 0;
    if (write_some(listener_socket, line, &sent).is_error()) ::_exit(94);
  }
  char* argv[] = {const_cast<char*>(NESTLAB_SECCOMP_PROBE), const_cast<char*>(process),
                  const_cast<char*>(call), nullptr};
  ::execv(NESTLAB_SECCOMP_PROBE, argv);
  ::_exit(95);
}

ProbeRun run_probe(const char* process, const char* call) {
  ProbeRun run;
  bool qemu = std::string(process) == "qemu";
  std::vector<sock_filter> filter;
  if (qemu) {
    auto program = qemu_filter_program(SeccompMode::Enforce);
    if (program.is_error()) {
      run.error = program.error().message;
      return run;
    }
    filter = program.release_value();
  }
  int p[2], sv[2];
  if (::pipe2(p, O_CLOEXEC) < 0 || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    run.error = "pipe";
    return run;
  }
  pid_t pid = ::fork();
  if (pid == 0) become_nobody_and_exec(process, call, p[1], qemu ? &filter : nullptr, sv[1]);
  ::close(p[1]);
  ::close(sv[1]);
  UniqueFd report(p[0]), listener_socket(sv[0]);
  if (qemu) {
    LineReader reader;
    (void)reader.read_some(listener_socket.get());
    auto line = reader.next_line();
    if (!line || line->fds.empty()) {
      run.error = "no listener from the child";
    } else {
      UniqueFd listener = std::move(line->fds[0]);
      auto exec = allow_first_exec(listener.get(), pid, 5000);
      if (exec.is_error()) {
        run.error = "the first exec: " + exec.error().message;
      } else {
        // The highvisor's side from here on: any notification is a
        // violation, and the process is killed.
        pollfd fds[2] = {{listener.get(), POLLIN, 0}, {report.get(), POLLIN, 0}};
        if (::poll(fds, 2, 5000) > 0 && (fds[0].revents & POLLIN)) {
          seccomp_notif notif{};
          if (::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &notif) == 0)
            run.notified = syscall_name(notif.data.nr);
          ::kill(pid, SIGKILL);
        }
      }
    }
    if (!run.error.empty()) ::kill(pid, SIGKILL);
  }
  run.output = userworld::test_support::read_all(report.get());
  ::waitpid(pid, &run.status, 0);
  return run;
}

void expect_result(const char* process, const char* call, const std::string& result) {
  ProbeRun r = run_probe(process, call);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.notified, "") << call << " was stopped, not answered";
  EXPECT_EQ(r.output, std::string(call) + "=" + result + "\n");
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.status;
}

void expect_stopped(const char* process, const char* call, const std::string& syscall) {
  ProbeRun r = run_probe(process, call);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.output.find(std::string(call) + "="), std::string::npos)
      << call << " went through: " << r.output;
  if (std::string(process) == "qemu") {
    EXPECT_EQ(r.notified, syscall);
    EXPECT_TRUE(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL) << r.status;
  } else {
    EXPECT_NE(r.output.find("\"syscall\":\"" + syscall + "\""), std::string::npos) << r.output;
    EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 128 + SIGSYS) << r.status;
  }
}

class SeccompProbe : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(NESTLAB_UNDER_ASAN)
    // The sanitizer runtime makes calls of its own that no allowlist has.
    GTEST_SKIP() << "the probe needs a build without AddressSanitizer";
#endif
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the probe as another user";
  }
};

// QEMU's policy.
TEST_F(SeccompProbe, QemuItsOwnExecGetsThroughAndThreadsWork) {
  expect_result("qemu", "thread", "0");
}
TEST_F(SeccompProbe, QemuHasNoIoUring) {
  expect_result("qemu", "io_uring_setup", "-1 ENOSYS");
  expect_result("qemu", "io_uring_enter", "-1 ENOSYS");
}
TEST_F(SeccompProbe, QemuClone3SaysEnosys) { expect_result("qemu", "clone3", "-1 ENOSYS"); }
TEST_F(SeccompProbe, QemuCannotMakeAUserNamespace) {
  expect_stopped("qemu", "clone_newuser", "clone");
  expect_stopped("qemu", "unshare_user", "unshare");
}
TEST_F(SeccompProbe, QemuCannotMakeOtherNamespaces) {
  expect_stopped("qemu", "clone_newns", "clone");
  expect_stopped("qemu", "clone_newnet", "clone");
  expect_stopped("qemu", "clone_thread_newnet", "clone");
}
TEST_F(SeccompProbe, QemuCannotFork) { expect_stopped("qemu", "fork", "clone"); }
TEST_F(SeccompProbe, QemuCannotExecAfterItStarted) { expect_stopped("qemu", "execve", "execve"); }

// The highvisor's policy.
TEST_F(SeccompProbe, HighvisorThreadsWork) { expect_result("highvisor", "thread", "0"); }
TEST_F(SeccompProbe, HighvisorHasNoIoUring) {
  expect_stopped("highvisor", "io_uring_setup", "io_uring_setup");
}
TEST_F(SeccompProbe, HighvisorClone3SaysEnosys) {
  expect_result("highvisor", "clone3", "-1 ENOSYS");
}
TEST_F(SeccompProbe, HighvisorCannotMakeNamespaces) {
  expect_stopped("highvisor", "clone_newuser", "clone");
  expect_stopped("highvisor", "clone_thread_newnet", "clone");
  expect_stopped("highvisor", "unshare_user", "unshare");
}
TEST_F(SeccompProbe, HighvisorCannotExec) { expect_stopped("highvisor", "execve", "execve"); }

}  // namespace
}  // namespace nestlab::userworld
