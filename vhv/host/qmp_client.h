// A small synchronous QMP client on a connected socket: the greeting, the
// capabilities handshake and one command at a time. Asynchronous events that
// arrive in between are kept for the caller, not lost.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace nestlab::vhv {

// How long the highvisor waits for QEMU's monitor to answer one command.
inline constexpr std::chrono::seconds kQmpTimeout{5};

class QmpClient {
 public:
  explicit QmpClient(int fd) : m_fd(fd) {}  // Not owned.

  HostResult<void> handshake(std::chrono::milliseconds timeout);
  HostResult<nlohmann::json> execute(const std::string& command, const nlohmann::json& args,
                                     std::chrono::milliseconds timeout);
  // Sends a command without waiting for its answer (drain() discards it).
  void send(const std::string& command);
  // Reads whatever QEMU sent (events) without blocking; call when fd is readable.
  void drain();
  std::vector<nlohmann::json> take_events() { return std::move(m_events); }

 private:
  HostResult<nlohmann::json> read_message(std::chrono::steady_clock::time_point deadline);
  int m_fd;
  std::string m_buffer;
  std::vector<nlohmann::json> m_events;
};

}  // namespace nestlab::vhv
