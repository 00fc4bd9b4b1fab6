// The highvisor's end of its control socket to nestlabd: JSON lines both
// ways, file descriptors riding along with SCM_RIGHTS (docs/protocols.md §2).
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

class ControlChannel {
 public:
  explicit ControlChannel(int fd) : m_fd(fd) {}  // Not owned.
  int fd() const { return m_fd; }

  HostResult<void> send(const nlohmann::json& message);
  // Reads what is available. Returns false on EOF (the kernel went away).
  HostResult<bool> receive(std::vector<ControlMessage>& out);
  // Takes the oldest received fd not yet claimed, or -1. The caller owns it.
  int take_fd();

 private:
  int m_fd;
  std::string m_buffer;
  std::deque<int> m_fds;
};

}  // namespace nestlab::vhv
