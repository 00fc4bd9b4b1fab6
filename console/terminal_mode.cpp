#include "console/terminal_mode.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace nestlab::cli {

HostResult<RawTerminal> RawTerminal::enter(int fd, RawInput input) {
  termios saved{};
  if (!::isatty(fd) || ::tcgetattr(fd, &saved) != 0) return RawTerminal(-1, saved);
  termios raw = saved;
  if (input == RawInput::Yes)
    ::cfmakeraw(&raw);
  else
    raw.c_oflag &= ~OPOST;
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSAFLUSH, &raw) != 0)
    return errno_error("cannot put the terminal in raw mode");
  return RawTerminal(fd, saved);
}

void RawTerminal::restore() {
  if (m_fd < 0) return;
  ::tcsetattr(m_fd, TCSAFLUSH, &m_saved);
  m_fd = -1;
}

WindowSize window_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return {};
  return {ws.ws_row, ws.ws_col};
}

}  // namespace nestlab::cli
