// Each allowlist tested the way Firecracker tests its filters: per rule
// class, a process with the real filter makes an allowed call (it works)
// and a forbidden one (it is stopped, and the report names the syscall).
#include "userworld/seccomp_policy.h"
#include "base/sanitizers.h"
#include "userworld/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "base/json_line_socket.h"
#include "userworld/seccomp_report.h"

namespace nestlab::userworld {
namespace {

// A pipe made before the filter, as the highvisor's sockets are.
int g_io[2] = {-1, -1};

struct Outcome {
  std::string output;    // what the child wrote (its own "ok" or the report)
  int status = -1;       // wait status
  std::string notified;  // QEMU policy: the syscall the listener saw
};

// The highvisor policy: SIGSYS reporter on a pipe, then the filter.
Outcome under_highvisor_policy(const std::function<void()>& action) {
  if (g_io[0] < 0) {
    EXPECT_EQ(::pipe(g_io), 0);
  }
  int p[2];
  EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    install_sigsys_reporter(p[1]);
    if (install_highvisor_filter(SeccompMode::Enforce).is_error()) ::_exit(3);
    action();
    (void)!::write(p[1], "ok", 2);
    ::_exit(0);
  }
  ::close(p[1]);
  Outcome o;
  o.output = userworld::test_support::read_all(p[0]);
  ::close(p[0]);
  ::waitpid(pid, &o.status, 0);
  return o;
}

// The QEMU policy: loaded from its BPF with a listener the parent holds,
// as the highvisor does for QEMU.
Outcome under_qemu_policy(const std::function<void()>& action) {
  if (g_io[0] < 0) {
    EXPECT_EQ(::pipe(g_io), 0);
  }
  auto program = qemu_filter_program(SeccompMode::Enforce);
  EXPECT_TRUE(program.is_ok());
  int sv[2], p[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int listener = load_filter(program.value(), true);
    if (listener < 0) ::_exit(3);
    OutgoingLine line{"l\n", {}};
    line.fds.emplace_back(listener);
    size_t sent = 0;
    (void)write_some(sv[1], line, &sent);
    action();
    (void)!::write(p[1], "ok", 2);
    ::_exit(0);
  }
  ::close(sv[1]);
  ::close(p[1]);
  LineReader reader;
  (void)reader.read_some(sv[0]);
  auto line = reader.next_line();
  Outcome o;
  if (line && !line->fds.empty()) {
    int listener = line->fds[0].get();
    pollfd fds[2] = {{listener, POLLIN, 0}, {p[0], POLLIN, 0}};
    if (::poll(fds, 2, 5000) > 0 && (fds[0].revents & POLLIN)) {
      seccomp_notif* req = nullptr;
      seccomp_notif_resp* resp = nullptr;
      seccomp_notify_alloc(&req, &resp);
      if (seccomp_notify_receive(listener, req) == 0) o.notified = syscall_name(req->data.nr);
      seccomp_notify_free(req, resp);
      ::kill(pid, SIGKILL);
    }
  }
  o.output = userworld::test_support::read_all(p[0]);
  ::close(p[0]);
  ::close(sv[0]);
  ::waitpid(pid, &o.status, 0);
  return o;
}

void expect_allowed(const Outcome& o) {
#if defined(NESTLAB_UNDER_ASAN)
  // The sanitizer runtime makes system calls of its own (pipe2 for its
  // symbolizer, ...) that no production allowlist has; the forbidden-call
  // tests still run, the allowed-call ones need a build without ASan.
  GTEST_SKIP() << "allowed-call checks need a build without AddressSanitizer";
#endif
  EXPECT_EQ(o.output, "ok");
  EXPECT_TRUE(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0) << o.status;
  EXPECT_EQ(o.notified, "");
}

void expect_highvisor_stopped(const Outcome& o, const std::string& syscall) {
  EXPECT_NE(o.output.find("\"event\":\"seccomp\""), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("\"syscall\":\"" + syscall + "\""), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("ok"), std::string::npos) << "the call went through";
  EXPECT_TRUE(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 128 + SIGSYS) << o.status;
}

void expect_qemu_stopped(const Outcome& o, const std::string& syscall) {
  EXPECT_EQ(o.notified, syscall);
  EXPECT_EQ(o.output, "") << "the call went through";
  EXPECT_TRUE(WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGKILL) << o.status;
}

void write_to_pipe() {
  if (::write(g_io[1], "x", 1) == 1) {
    char c;
    (void)!::read(g_io[0], &c, 1);
  } else {
    ::_exit(4);
  }
}
void map_memory() {
  void* m = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m != MAP_FAILED) ::munmap(m, 1 << 20);
}
void sleep_a_little() { ::usleep(1000); }
void start_a_thread() {
  std::thread([] {}).join();
}
void open_a_file() { ::close(::open("/etc/hostname", O_RDONLY)); }
void open_a_socket() { ::close(::socket(AF_INET, SOCK_STREAM, 0)); }
void fork_a_process() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
}
void exec_a_program() {
  char* argv[] = {const_cast<char*>("true"), nullptr};
  ::execve("/bin/true", argv, nullptr);
}
// A listening socket made before the filter, as nestlabd passes one to the
// highvisor for the next kernel's control connection.
int g_listener = -1;
void accept_on_a_held_listener() {
  int fd = ::accept4(g_listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd >= 0 || errno == EAGAIN) {
    if (fd >= 0) ::close(fd);
  } else {
    ::_exit(4);
  }
}
void connect_somewhere() {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ::connect(g_io[1], reinterpret_cast<sockaddr*>(&addr), sizeof addr);
}
void ptrace_someone() { ::ptrace(PTRACE_ATTACH, 1, nullptr, nullptr); }
void mount_something() { ::mount("none", "/tmp", "tmpfs", 0, nullptr); }
void signal_someone() { ::kill(1, 0); }

TEST(HighvisorSeccomp, IoOnHeldFdsWorks) { expect_allowed(under_highvisor_policy(write_to_pipe)); }
TEST(HighvisorSeccomp, MemoryWorks) { expect_allowed(under_highvisor_policy(map_memory)); }
TEST(HighvisorSeccomp, TimeWorks) { expect_allowed(under_highvisor_policy(sleep_a_little)); }
TEST(HighvisorSeccomp, ThreadsWork) { expect_allowed(under_highvisor_policy(start_a_thread)); }
TEST(HighvisorSeccomp, AcceptingTheNextKernelWorks) {
  g_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;  // autobind: an abstract address of its own
  ASSERT_EQ(::bind(g_listener, reinterpret_cast<sockaddr*>(&addr), sizeof(sa_family_t)), 0);
  ASSERT_EQ(::listen(g_listener, 1), 0);
  expect_allowed(under_highvisor_policy(accept_on_a_held_listener));
  ::close(g_listener);
}
TEST(HighvisorSeccomp, ConnectingASocketIsStopped) {
  expect_highvisor_stopped(under_highvisor_policy(connect_somewhere), "connect");
}
TEST(HighvisorSeccomp, OpeningAFileIsStopped) {
  expect_highvisor_stopped(under_highvisor_policy(open_a_file), "openat");
}
TEST(HighvisorSeccomp, ANewSocketIsStopped) {
  expect_highvisor_stopped(under_highvisor_policy(open_a_socket), "socket");
}
TEST(HighvisorSeccomp, ForkIsStopped) {
  expect_highvisor_stopped(under_highvisor_policy(fork_a_process), "clone");
}
TEST(HighvisorSeccomp, ExecIsStopped) {
  expect_highvisor_stopped(under_highvisor_policy(exec_a_program), "execve");
}
TEST(HighvisorSeccomp, PtraceIsStopped) {
  expect_highvisor_stopped(under_highvisor_policy(ptrace_someone), "ptrace");
}
TEST(HighvisorSeccomp, MountIsStopped) {
  expect_highvisor_stopped(under_highvisor_policy(mount_something), "mount");
}

TEST(QemuSeccomp, IoOnHeldFdsWorks) { expect_allowed(under_qemu_policy(write_to_pipe)); }
TEST(QemuSeccomp, MemoryWorks) { expect_allowed(under_qemu_policy(map_memory)); }
TEST(QemuSeccomp, ThreadsWork) { expect_allowed(under_qemu_policy(start_a_thread)); }
TEST(QemuSeccomp, OpeningFilesInItsJailWorks) { expect_allowed(under_qemu_policy(open_a_file)); }
TEST(QemuSeccomp, ANewSocketIsStopped) {
  expect_qemu_stopped(under_qemu_policy(open_a_socket), "socket");
}
TEST(QemuSeccomp, PtraceIsStopped) {
  expect_qemu_stopped(under_qemu_policy(ptrace_someone), "ptrace");
}
TEST(QemuSeccomp, MountIsStopped) {
  expect_qemu_stopped(under_qemu_policy(mount_something), "mount");
}
TEST(QemuSeccomp, SignallingAnotherProcessIsStopped) {
  expect_qemu_stopped(under_qemu_policy(signal_someone), "kill");
}

}  // namespace
}  // namespace nestlab::userworld
