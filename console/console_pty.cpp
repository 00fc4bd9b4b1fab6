#include "console/console_pty.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace nestlab::cli {

HostResult<std::unique_ptr<ConsolePty>> ConsolePty::open() {
  UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return errno_error("cannot open a pseudo-terminal (posix_openpt)");
  if (::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0)
    return errno_error("cannot unlock the pseudo-terminal");
  const char* name = ::ptsname(master.get());
  if (!name) return errno_error("ptsname");
  std::string path = name;
  UniqueFd slave(::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) return errno_error("cannot open " + path);
  // A serial line is raw: the guest does its own echo and line editing.
  termios t{};
  if (::tcgetattr(slave.get(), &t) == 0) {
    ::cfmakeraw(&t);
    ::tcsetattr(slave.get(), TCSANOW, &t);
  }
  ::fcntl(master.get(), F_SETFL, ::fcntl(master.get(), F_GETFL) | O_NONBLOCK);
  return std::unique_ptr<ConsolePty>(new ConsolePty(std::move(master), std::move(slave), path));
}

ssize_t ConsolePty::read_in(char* buf, size_t len) {
  ssize_t n = ::read(m_master.get(), buf, len);
  return n < 0 ? -1 : n;
}

void ConsolePty::write_out(std::string_view bytes) {
  // Nobody may be reading the slave: output beyond the pty's buffer is
  // dropped rather than blocking the console (as a serial line with no
  // terminal attached loses characters).
  while (!bytes.empty()) {
    ssize_t n = ::write(m_master.get(), bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

}  // namespace nestlab::cli
