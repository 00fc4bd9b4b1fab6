#include "vhv/host/control_channel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nestlab::vhv {

namespace {
constexpr size_t kMaxLine = 1 << 20;
constexpr int kMaxFdsPerMessage = 8;
}  // namespace

HostResult<void> ControlChannel::send(const nlohmann::json& message) {
  std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::send(m_fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("write to nestlabd");
    off += static_cast<size_t>(n);
  }
  return {};
}

HostResult<bool> ControlChannel::receive(std::vector<ControlMessage>& out) {
  char buf[8192];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)];
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(m_fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n < 0 && errno == ECONNRESET) return false;  // the kernel died mid-conversation
  if (n < 0) return errno_error("read from nestlabd");
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        m_fds.push_back(fd);
      }
    }
  }
  if (n == 0) return false;
  m_buffer.append(buf, static_cast<size_t>(n));
  size_t nl;
  while ((nl = m_buffer.find('\n')) != std::string::npos) {
    auto j = nlohmann::json::parse(m_buffer.substr(0, nl), nullptr, false);
    m_buffer.erase(0, nl + 1);
    if (j.is_discarded() || !j.is_object()) {
      return make_error(ErrorCode::Protocol, "nestlabd sent a line that is not a JSON object");
    }
    out.push_back(ControlMessage{std::move(j)});
  }
  if (m_buffer.size() > kMaxLine) return make_error(ErrorCode::Protocol, "control line too long");
  return true;
}

void ControlChannel::disconnected() {
  m_connected = false;
  m_buffer.clear();
  for (int fd : m_fds) ::close(fd);
  m_fds.clear();
}

HostResult<void> ControlChannel::replace(int fd) {
  if (::dup3(fd, m_fd, O_CLOEXEC) < 0) {
    ::close(fd);
    return errno_error("dup3 of the new control connection");
  }
  ::close(fd);
  disconnected();
  m_connected = true;
  return {};
}

int ControlChannel::take_fd() {
  if (m_fds.empty()) return -1;
  int fd = m_fds.front();
  m_fds.pop_front();
  return fd;
}

}  // namespace nestlab::vhv
