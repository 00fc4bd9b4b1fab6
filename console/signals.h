// SIGINT, SIGTERM and SIGHUP as a readable fd (signalfd), so a command's
// event loop can notice Ctrl-C between two notifications and clean up —
// destroy its VHV — instead of dying half-way.
#pragma once

#include <memory>

#include "base/error.h"

namespace nestlab::cli {

class InterruptSignals {
 public:
  // Blocks the signals and opens the signalfd. They stay blocked for the
  // rest of the process: unblocking would deliver a pending Ctrl-C with its
  // default action and kill the CLI before it reports 130. Children must
  // unblock them (the kernel launcher does).
  static HostResult<std::unique_ptr<InterruptSignals>> install();
  ~InterruptSignals();
  InterruptSignals(const InterruptSignals&) = delete;
  InterruptSignals& operator=(const InterruptSignals&) = delete;

  int fd() const { return m_fd; }
  // Reads one pending signal; 0 if none.
  int consume();

 private:
  explicit InterruptSignals(int fd) : m_fd(fd) {}
  int m_fd;  // Owned signalfd.
};

}  // namespace nestlab::cli
