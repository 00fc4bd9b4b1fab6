#include "vhv/host/qmp_client.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace nestlab::vhv {

using Clock = std::chrono::steady_clock;

HostResult<nlohmann::json> QmpClient::read_message(Clock::time_point deadline) {
  for (;;) {
    auto nl = m_buffer.find('\n');
    if (nl != std::string::npos) {
      std::string line = m_buffer.substr(0, nl);
      m_buffer.erase(0, nl + 1);
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object())
        return make_error(ErrorCode::Protocol,
                          "QMP sent a line that is not a JSON object: " + line);
      return j;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return make_error(ErrorCode::Unavailable, "QEMU did not answer on QMP in time");
    pollfd p{m_fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno_error("poll on QMP");
    if (r == 0) continue;
    char buf[4096];
    ssize_t n = read(m_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return errno_error("read from QMP");
    if (n == 0) return make_error(ErrorCode::Unavailable, "QEMU closed its QMP socket");
    m_buffer.append(buf, static_cast<size_t>(n));
  }
}

HostResult<void> QmpClient::handshake(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  auto greeting = TRY(read_message(deadline));
  if (!greeting.contains("QMP"))
    return make_error(ErrorCode::Protocol, "QEMU sent no QMP greeting");
  TRY(execute("qmp_capabilities", nlohmann::json::object(), timeout));
  return {};
}

HostResult<nlohmann::json> QmpClient::execute(const std::string& command,
                                              const nlohmann::json& args,
                                              std::chrono::milliseconds timeout) {
  nlohmann::json req = {{"execute", command}};
  if (!args.empty()) req["arguments"] = args;
  std::string line = req.dump() + "\n";
  if (write(m_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    return errno_error("write to QMP");
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto msg = TRY(read_message(deadline));
    if (msg.contains("event")) {
      m_events.push_back(std::move(msg));
      continue;
    }
    if (msg.contains("error")) {
      return make_error(ErrorCode::Internal, "QMP " + command + " failed: " +
                                                 msg["error"].value("desc", std::string("?")));
    }
    return msg.value("return", nlohmann::json::object());
  }
}

void QmpClient::send(const std::string& command) {
  std::string line = nlohmann::json{{"execute", command}}.dump() + "\n";
  (void)!write(m_fd, line.data(), line.size());
}

void QmpClient::drain() {
  char buf[4096];
  ssize_t n = read(m_fd, buf, sizeof buf);
  if (n <= 0) return;
  m_buffer.append(buf, static_cast<size_t>(n));
  size_t nl;
  while ((nl = m_buffer.find('\n')) != std::string::npos) {
    auto j = nlohmann::json::parse(m_buffer.substr(0, nl), nullptr, false);
    m_buffer.erase(0, nl + 1);
    if (!j.is_discarded() && j.contains("event")) m_events.push_back(std::move(j));
  }
}

}  // namespace nestlab::vhv
