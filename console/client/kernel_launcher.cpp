#include "console/client/kernel_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace nestlab::client {

namespace {

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_kernel(const LaunchOptions& o, int ready_fd, const char* const argv[],
                              const char* const envp[]) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // The CLI blocks SIGINT/SIGTERM for its signalfd.
  signal(SIGPIPE, SIG_DFL);
  setsid();
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = o.log_path.empty()
                ? -1
                : open(o.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out < 0) out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (in >= 0) dup2(in, 0);
  if (out >= 0) {
    dup2(out, 1);
    dup2(out, 2);
  }
  int flags = fcntl(ready_fd, F_GETFD);
  if (flags >= 0) fcntl(ready_fd, F_SETFD, flags & ~FD_CLOEXEC);
  execve(o.kernel_path.c_str(), const_cast<char* const*>(argv), const_cast<char* const*>(envp));
  _exit(127);
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) == 127) return "nestlabd could not be executed";
    return "nestlabd exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status))
    return std::string("nestlabd was killed by signal ") + strsignal(WTERMSIG(status));
  return "nestlabd stopped";
}

}  // namespace

HostResult<void> launch_kernel(const LaunchOptions& o) {
  if (::access(o.kernel_path.c_str(), X_OK) != 0) return errno_error(o.kernel_path);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return errno_error("pipe");
  int ready_read = pipe_fds[0], ready_write = pipe_fds[1];
  if (ready_write < 3) {  // The child's stdio redirection would clobber it.
    int moved = ::fcntl(ready_write, F_DUPFD_CLOEXEC, 3);
    ::close(ready_write);
    ready_write = moved;
    if (ready_write < 0) {
      ::close(ready_read);
      return errno_error("fcntl");
    }
  }

  // Everything exec needs is prepared before fork: the child must not allocate.
  std::string ready_arg = std::to_string(ready_write);
  std::string idle_arg = std::to_string(o.idle_exit_seconds);
  const char* argv[] = {o.kernel_path.c_str(), "--idle-exit",     idle_arg.c_str(),
                        "--ready-fd",          ready_arg.c_str(), nullptr};
  // Our environment with NESTLAB_SOCKET set, built without touching ours
  // (the GUI shares this code and its environment).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "NESTLAB_SOCKET=", 15) != 0) env_strings.emplace_back(*e);
  if (!o.socket_path.empty()) env_strings.push_back("NESTLAB_SOCKET=" + o.socket_path);
  std::vector<const char*> envp;
  for (const auto& s : env_strings) envp.push_back(s.c_str());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(ready_read);
    ::close(ready_write);
    return errno_error("fork");
  }
  if (pid == 0) exec_kernel(o, ready_write, argv, envp.data());
  ::close(ready_write);

  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(o.ready_timeout_ms);
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{ready_read, POLLIN, 0};
    int rc = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) {
      ::close(ready_read);
      ::kill(pid, SIGTERM);  // Leave nothing half-started behind.
      ::waitpid(pid, nullptr, 0);
      return make_error(ErrorCode::Unavailable, "nestlabd did not report ready within " +
                                                    std::to_string(o.ready_timeout_ms / 1000) +
                                                    " s");
    }
    char byte;
    ssize_t n = ::read(ready_read, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    ::close(ready_read);
    if (n == 1) return {};
    // EOF: the kernel closed the fd without a byte, almost always by exiting.
    int status = 0;
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid, &status, WNOHANG) == pid)
        return make_error(ErrorCode::Unavailable, describe_wait_status(status));
      ::usleep(10000);
    }
    return make_error(ErrorCode::Unavailable,
                      "nestlabd closed its ready fd without reporting ready");
  }
}

}  // namespace nestlab::client
