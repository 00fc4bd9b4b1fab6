// The local terminal in raw mode for `nestlab console`, like `virsh console`
// and `screen`: no echo, no line buffering, no signals from keys (Ctrl-C
// goes to the guest). The saved settings come back when this goes away, on
// every exit path that runs destructors, and restore() is idempotent for
// paths that must restore before printing.
#pragma once

#include <termios.h>

#include "base/error.h"

namespace nestlab::cli {

enum class RawInput { Yes, No };

class RawTerminal {
 public:
  // Does nothing (active() false) when fd is not a terminal. RawInput::No
  // only turns output post-processing off (guest bytes shown as sent, no
  // "\n" -> "\r\n"), for read-only viewers whose Ctrl-C must still work.
  static HostResult<RawTerminal> enter(int fd, RawInput input = RawInput::Yes);
  RawTerminal(RawTerminal&& o) noexcept : m_fd(o.m_fd), m_saved(o.m_saved) { o.m_fd = -1; }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  ~RawTerminal() { restore(); }

  bool active() const { return m_fd >= 0; }
  void restore();

 private:
  RawTerminal(int fd, const termios& saved) : m_fd(fd), m_saved(saved) {}
  int m_fd = -1;  // -1 once restored or when not a terminal
  termios m_saved{};
};

// The window size of a terminal fd; {0, 0} when unknown.
struct WindowSize {
  unsigned rows = 0, cols = 0;
};
WindowSize window_size(int fd);

}  // namespace nestlab::cli
