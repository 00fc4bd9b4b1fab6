#include "console/client/client.h"

#include "console/client/unix_connect.h"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <variant>

namespace nestlab::client {

HostResult<std::unique_ptr<Client>> Client::connect(const std::string& socket_path) {
  UniqueFd socket = TRY(connect_unix(socket_path));
  return std::make_unique<Client>(std::move(socket));
}

HostResult<int64_t> Client::send_request(std::string_view method, json params,
                                         std::span<const int> fds) {
  if (m_closed) return make_error(ErrorCode::Unavailable, kLostConnection);
  int64_t id = m_next_id++;
  std::string line = make_request_line(id, method, params);
  line.pop_back();  // send_line adds the '\n'.
  auto sent = send_line(m_socket.get(), line, fds);
  if (sent.is_error()) {
    if (errno != EPIPE && errno != ECONNRESET) return Err{sent.release_error()};
    m_closed = true;
    return make_error(ErrorCode::Unavailable, kLostConnection);
  }
  return id;
}

HostResult<json> Client::call(std::string_view method, json params, std::span<const int> fds) {
  int64_t id = TRY(send_request(method, std::move(params), fds));
  return wait_response(id);
}

HostResult<json> Client::wait_response(int64_t id) {
  for (;;) {
    if (auto r = take_response(id)) {
      if (r->ok) return std::move(r->result);
      return Err{std::move(r->error)};
    }
    if (m_unmatched_error) {
      Error e = std::move(*m_unmatched_error);
      m_unmatched_error.reset();
      return Err{std::move(e)};
    }
    if (m_closed) return make_error(ErrorCode::Unavailable, kLostConnection);
    TRY(wait_and_read(-1));
  }
}

HostResult<std::optional<Notification>> Client::next_notification(int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    if (auto n = take_notification()) return std::optional<Notification>(std::move(*n));
    if (m_closed) return make_error(ErrorCode::Unavailable, kLostConnection);
    int left = -1;
    if (timeout_ms >= 0) {
      auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (ms <= 0) return std::optional<Notification>();
      left = static_cast<int>(ms);
    }
    bool got = TRY(wait_and_read(left));
    if (!got) return std::optional<Notification>();
  }
}

HostResult<bool> Client::wait_and_read(int timeout_ms) {
  pollfd fds[2] = {{m_socket.get(), POLLIN, 0}, {m_interrupt_fd, POLLIN, 0}};
  nfds_t n = m_interrupt_fd >= 0 ? 2 : 1;
  int rc;
  do {
    rc = ::poll(fds, n, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return errno_error("poll");
  if (rc == 0) return false;
  if (n == 2 && (fds[1].revents & POLLIN)) {
    m_interrupted = Interrupted::Yes;
    return make_error(ErrorCode::Unavailable, "interrupted");
  }
  TRY(read_available());
  return true;
}

HostResult<void> Client::read_available() {
  auto status = m_reader.read_some(m_socket.get());
  if (status.is_error()) {
    m_closed = true;
    if (errno == ECONNRESET) return {};  // Reported as a lost connection by the waits.
    return Err{status.release_error()};
  }
  if (status.value() == ReadStatus::Eof) m_closed = true;
  while (auto line = m_reader.next_line()) {
    if (line->text.empty()) continue;
    auto incoming = parse_incoming(line->text);
    if (incoming.is_error()) {
      m_closed = true;  // A peer that breaks framing cannot be trusted further.
      return Err{incoming.release_error()};
    }
    Incoming msg = incoming.release_value();
    if (auto* n = std::get_if<Notification>(&msg)) {
      m_notifications.push_back(std::move(*n));
    } else {
      auto& r = std::get<Response>(msg);
      if (r.id < 0 && !r.ok)
        m_unmatched_error = r.error;
      else
        m_responses[r.id] = std::move(r);
    }
  }
  return {};
}

std::optional<Response> Client::take_response(int64_t id) {
  auto it = m_responses.find(id);
  if (it == m_responses.end()) return std::nullopt;
  Response r = std::move(it->second);
  m_responses.erase(it);
  return r;
}

std::optional<Notification> Client::take_notification() {
  if (m_notifications.empty()) return std::nullopt;
  Notification n = std::move(m_notifications.front());
  m_notifications.pop_front();
  return n;
}

}  // namespace nestlab::client
