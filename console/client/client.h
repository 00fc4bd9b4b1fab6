// A connection to nestlabd speaking the client API (docs/protocols.md
// section 1). Two ways to drive it:
//  - blocking: call(), or send_request() + wait_response(), and
//    next_notification(); these poll the socket and an optional interrupt fd;
//  - from an event loop (the GUI): watch fd(), call read_available() when it
//    is readable, then take_response() / take_notification().
// Notifications that arrive while waiting for a response are queued in order.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/json_line_socket.h"
#include "base/unique_fd.h"
#include "console/client/rpc_message.h"

namespace nestlab::client {

using nlohmann::json;

enum class Interrupted { No, Yes };

class Client {
 public:
  static HostResult<std::unique_ptr<Client>> connect(const std::string& socket_path);

  // Takes a connected stream socket.
  explicit Client(UniqueFd socket) : m_socket(std::move(socket)) {}

  // Sends a request and waits for its result. `fds` (not owned) travel with
  // the request line; params name them by index.
  HostResult<json> call(std::string_view method, json params = json::object(),
                        std::span<const int> fds = {});

  // Sends a request and returns its id without waiting.
  HostResult<int64_t> send_request(std::string_view method, json params = json::object(),
                                   std::span<const int> fds = {});
  HostResult<json> wait_response(int64_t id);

  // The next notification; std::nullopt when `timeout_ms` (-1 = forever)
  // passed without one.
  HostResult<std::optional<Notification>> next_notification(int timeout_ms = -1);

  // Blocking waits also watch this fd (not owned; e.g. a signalfd). When it
  // becomes readable they fail with "interrupted" and interrupted() is Yes;
  // the fd is left for the owner to read.
  void set_interrupt_fd(int fd) { m_interrupt_fd = fd; }
  Interrupted interrupted() const { return m_interrupted; }

  // Event-loop interface. read_available() does one receive; call it only
  // when fd() is readable.
  int fd() const { return m_socket.get(); }
  HostResult<void> read_available();
  std::optional<Response> take_response(int64_t id);
  std::optional<Notification> take_notification();
  bool connected() const { return !m_closed; }

 private:
  // Waits until the socket (or the interrupt fd) is readable and reads.
  // Returns false on timeout.
  HostResult<bool> wait_and_read(int timeout_ms);

  // Replies can be larger than the 1 MiB the kernel accepts per request (a
  // long vhv.list), so the client's cap is higher.
  static constexpr size_t kMaxReplyLine = 16u << 20;

  UniqueFd m_socket;
  LineReader m_reader{kMaxReplyLine};
  int64_t m_next_id = 1;
  std::map<int64_t, Response> m_responses;  // Received, not yet taken.
  std::deque<Notification> m_notifications;
  std::optional<Error> m_unmatched_error;  // An error response with id null.
  int m_interrupt_fd = -1;                 // Not owned.
  Interrupted m_interrupted = Interrupted::No;
  bool m_closed = false;
};

// The message every blocking wait returns once the kernel hung up.
inline constexpr const char* kLostConnection = "lost connection to nestlabd";

}  // namespace nestlab::client
