#include "base/json_line_socket.h"

#include "base/fd_passing.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace nestlab {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

HostResult<ReadStatus> LineReader::read_some(int fd) {
  char data[kReadChunk];
  iovec iov{data, sizeof data};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return ReadStatus::WouldBlock;
    return errno_error("recvmsg");
  }

  std::vector<UniqueFd> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.emplace_back(received);
    }
  }
  bool truncated = (msg.msg_flags & MSG_CTRUNC) != 0;

  size_t chunk_offset = m_buffer_offset + m_buffer.size();
  if (!fds.empty() && n > 0) {
    // Linux ends a stream recvmsg() right after the message that carried
    // fds (af_unix unix_stream_read_generic), so they belong to the last line
    // that starts in this chunk.
    std::string_view chunk(data, static_cast<size_t>(n));
    size_t search_end = chunk.back() == '\n' ? chunk.size() - 1 : chunk.size();
    size_t nl = search_end == 0 ? std::string_view::npos : chunk.rfind('\n', search_end - 1);
    size_t line_start;
    if (nl != std::string_view::npos) {
      line_start = chunk_offset + nl + 1;
    } else if (m_buffer.empty() || m_buffer.back() == '\n') {
      line_start = chunk_offset;
    } else {
      size_t last_nl = m_buffer.rfind('\n');
      line_start = m_buffer_offset + (last_nl == std::string::npos ? 0 : last_nl + 1);
    }
    m_fds.push_back({line_start, std::move(fds)});
  }
  if (truncated)
    return make_error(ErrorCode::InvalidArgument,
                      "too many file descriptors on one message (at most " +
                          std::to_string(kMaxFdsPerMessage) + ")");
  if (n == 0) return ReadStatus::Eof;
  size_t old_size = m_buffer.size();
  size_t prior_nl = old_size ? m_buffer.rfind('\n') : std::string::npos;
  m_buffer.append(data, static_cast<size_t>(n));

  // Every line that ends in this chunk, and the unfinished tail, must fit
  // the cap; lines that ended earlier were checked when they did.
  size_t line_start = prior_nl == std::string::npos ? 0 : prior_nl + 1;
  for (size_t at = old_size;; ++at) {
    size_t nl = m_buffer.find('\n', at);
    size_t end = nl == std::string::npos ? m_buffer.size() : nl;
    if (end - line_start > m_max_line) {
      // Keep the complete lines before it; drop it, what follows and any
      // fds that came for them.
      size_t cut = m_buffer_offset + line_start;
      m_buffer.resize(line_start);
      while (!m_fds.empty() && m_fds.back().offset >= cut) m_fds.pop_back();
      return make_error(ErrorCode::InvalidArgument,
                        "line longer than " + std::to_string(m_max_line) + " bytes");
    }
    if (nl == std::string::npos) break;
    line_start = nl + 1;
    at = nl;
  }
  return ReadStatus::Data;
}

size_t LineReader::held_fds() const {
  size_t count = 0;
  for (const auto& pending : m_fds) count += pending.fds.size();
  return count;
}

void LineReader::discard() {
  m_buffer_offset += m_buffer.size();
  m_buffer.clear();
  m_fds.clear();
}

std::optional<Line> LineReader::next_line() {
  size_t nl = m_buffer.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  Line line;
  line.text.assign(m_buffer, 0, nl);
  if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  size_t start = m_buffer_offset;
  size_t end = m_buffer_offset + nl + 1;
  m_buffer.erase(0, nl + 1);
  m_buffer_offset = end;
  while (!m_fds.empty() && m_fds.front().offset < end) {
    if (m_fds.front().offset >= start)
      for (auto& f : m_fds.front().fds) line.fds.push_back(std::move(f));
    m_fds.pop_front();  // fds for offsets before this line are stray: closed
  }
  return line;
}

HostResult<WriteStatus> write_some(int fd, OutgoingLine& line, size_t* sent) {
  if (line.fds.size() > kMaxFdsPerMessage)
    return make_error(ErrorCode::InvalidArgument, "too many file descriptors for one line");
  while (*sent < line.bytes.size()) {
    std::vector<int> raw;
    if (*sent == 0)
      for (auto& f : line.fds) raw.push_back(f.get());
    ssize_t n = send_with_fds(fd, line.bytes.data() + *sent, line.bytes.size() - *sent, raw);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return WriteStatus::WouldBlock;
      return errno_error("sendmsg");
    }
    if (*sent == 0) line.fds.clear();  // the peer has its copies now
    *sent += static_cast<size_t>(n);
  }
  return WriteStatus::Done;
}

HostResult<void> send_line(int fd, std::string_view text, std::span<const int> fds) {
  if (fds.size() > kMaxFdsPerMessage)
    return make_error(ErrorCode::InvalidArgument, "too many file descriptors for one line");
  std::string bytes(text);
  bytes.push_back('\n');
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send_with_fds(fd, bytes.data() + sent, bytes.size() - sent,
                              sent == 0 ? fds : std::span<const int>{});
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      return errno_error("sendmsg");
    }
    sent += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace nestlab
