#include "console/signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace nestlab::cli {

HostResult<std::unique_ptr<InterruptSignals>> InterruptSignals::install() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return errno_error("sigprocmask");
  int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return errno_error("signalfd");
  return std::unique_ptr<InterruptSignals>(new InterruptSignals(fd));
}

InterruptSignals::~InterruptSignals() { ::close(m_fd); }

int InterruptSignals::consume() {
  signalfd_siginfo info;
  ssize_t n = ::read(m_fd, &info, sizeof(info));
  return n == sizeof(info) ? static_cast<int>(info.ssi_signo) : 0;
}

}  // namespace nestlab::cli
