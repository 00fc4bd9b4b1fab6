// The highvisor's end of its control socket to nestlabd: JSON lines both
// ways, file descriptors riding along with SCM_RIGHTS (docs/protocols.md §2).
// The connection can be replaced (a restarted nestlabd reconnects): the new
// socket is moved onto the same fd number, so anything that captured the
// number (the SIGSYS reporter) keeps reaching whoever is connected now.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace nestlab::vhv {

struct ControlMessage {
  nlohmann::json body;
};

// The reply to a kernel request that failed: {"error": {code, message}}
// with an error name of base/error.h ("invalid-argument", "not-found", ...).
inline nlohmann::json control_error(const char* code, const std::string& message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}};
}

class ControlChannel {
 public:
  explicit ControlChannel(int fd) : m_fd(fd) {}  // Not owned.
  int fd() const { return m_fd; }

  HostResult<void> send(const nlohmann::json& message);
  // Reads what is available. Returns false on EOF (the kernel went away).
  HostResult<bool> receive(std::vector<ControlMessage>& out);
  // Takes the oldest received fd not yet claimed, or -1. The caller owns it.
  int take_fd();

  // The peer went away: forget its partial line and unclaimed fds. The dead
  // socket stays on fd() (sends fail with EPIPE) until replace() so the
  // number is never reused by something else.
  void disconnected();
  bool connected() const { return m_connected; }
  // Makes `fd` (a newly accepted connection) the control socket, on the
  // same fd number; closes `fd`.
  HostResult<void> replace(int fd);

 private:
  int m_fd;
  std::string m_buffer;
  std::deque<int> m_fds;
  bool m_connected = true;
};

}  // namespace nestlab::vhv
