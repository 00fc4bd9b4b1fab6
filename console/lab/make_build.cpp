#include "console/lab/make_build.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nestlab::lab {

namespace {

constexpr auto kTermGrace = std::chrono::seconds(2);

void stop_group(pid_t pid) {
  ::kill(-pid, SIGTERM);
  auto until = std::chrono::steady_clock::now() + kTermGrace;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      ::kill(-pid, SIGKILL);  // a compiler make left behind
      return;
    }
    ::usleep(20000);
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

HostResult<BuildResult> run_make(const std::string& dir, int interrupt_fd,
                                 std::chrono::seconds timeout) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return errno_error("pipe");
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    return errno_error("fork");
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    // The CLI blocks SIGINT/SIGTERM for its signalfd; make must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    ::execlp("make", "make", "--no-print-directory", "-C", dir.c_str(),
             static_cast<char*>(nullptr));
    const char* msg = "nestlab: cannot run make: ";
    (void)!::write(2, msg, std::strlen(msg));
    (void)!::write(2, std::strerror(errno), std::strlen(std::strerror(errno)));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // both sides, so the group exists whoever runs first
  ::close(pipe_fds[1]);

  BuildResult result;
  std::string head, tail;
  size_t total = 0;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[2] = {{pipe_fds[0], POLLIN, 0}, {interrupt_fd, POLLIN, 0}};
    int rc = ::poll(fds, interrupt_fd >= 0 ? 2 : 1, static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) break;
    if (interrupt_fd >= 0 && (fds[1].revents & POLLIN)) {
      result.interrupted = true;
      break;
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP))) continue;
    char buf[8192];
    ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // make and every child closed the pipe
    total += static_cast<size_t>(n);
    size_t take = std::min(static_cast<size_t>(n),
                           kBuildOutputHead - std::min(head.size(), kBuildOutputHead));
    head.append(buf, take);
    tail.append(buf + take, static_cast<size_t>(n) - take);
    if (tail.size() > 2 * kBuildOutputTail) tail.erase(0, tail.size() - kBuildOutputTail);
  }
  ::close(pipe_fds[0]);
  int status = 0;
  if (result.timed_out || result.interrupted) {
    stop_group(pid);
  } else {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  std::string out = head;
  size_t dropped = total - head.size() - tail.size();
  if (tail.size() > kBuildOutputTail) {
    dropped += tail.size() - kBuildOutputTail;
    tail.erase(0, tail.size() - kBuildOutputTail);
  }
  if (dropped > 0)
    out += "\n[... " + std::to_string(dropped) + " bytes of make output left out ...]\n";
  out += tail;
  if (result.timed_out)
    out += "\nnestlab: make took longer than " + std::to_string(timeout.count()) +
           " s and was stopped\n";
  result.output = std::move(out);
  return result;
}

}  // namespace nestlab::lab
