#include "kernel/line_channel.h"

#include <fcntl.h>

#include <boost/asio/post.hpp>

namespace nestlab::kernel {

std::shared_ptr<LineChannel> LineChannel::create(boost::asio::io_context& io, UniqueFd fd,
                                                 size_t max_line, size_t max_queued_bytes) {
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  return std::make_shared<LineChannel>(io, std::move(fd), max_line, max_queued_bytes);
}

LineChannel::LineChannel(boost::asio::io_context& io, UniqueFd fd, size_t max_line,
                         size_t max_queued)
    : m_socket(io, fd.release()), m_reader(max_line), m_max_queued(max_queued) {}

void LineChannel::start(LineHandler on_line, CloseHandler on_close) {
  m_on_line = std::move(on_line);
  m_on_close = std::move(on_close);
  wait_readable();
}

void LineChannel::wait_readable() {
  if (!m_open || m_close_after_flush) return;
  m_socket.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) {
                        if (ec || !self->m_open) return;
                        self->on_readable();
                      });
}

void LineChannel::on_readable() {
  auto status = m_reader.read_some(m_socket.native_handle());
  // Hand out complete lines first, even when the read also failed or hit
  // EOF: the peer's last request still deserves its answer.
  while (m_open && !m_close_after_flush) {
    auto line = m_reader.next_line();
    if (!line) break;
    m_on_line(std::move(*line));
  }
  if (!m_open || m_close_after_flush) return;
  if (status.is_error()) {
    Error e = status.release_error();
    if (m_refusal && e.code == ErrorCode::InvalidArgument) {
      send(m_refusal(e));
      close_after_flush();
      return;
    }
    finish(&e);
    return;
  }
  if (status.value() == ReadStatus::Eof) {
    finish(nullptr);
    return;
  }
  wait_readable();
}

void LineChannel::send(const std::string& text, std::vector<UniqueFd> fds) {
  if (!m_open || m_close_after_flush) return;
  m_queued_bytes += text.size() + 1;
  if (m_queued_bytes > m_max_queued) {
    Error e{ErrorCode::Unavailable, "peer is not reading its messages; disconnected"};
    finish(&e);
    return;
  }
  m_queue.push_back(OutgoingLine{text + "\n", std::move(fds)});
  flush();
}

void LineChannel::flush() {
  if (m_writing || !m_open) return;
  while (!m_queue.empty()) {
    auto status = write_some(m_socket.native_handle(), m_queue.front(), &m_sent_of_front);
    if (status.is_error()) {
      Error e = status.release_error();
      finish(&e);
      return;
    }
    if (status.value() == WriteStatus::WouldBlock) {
      m_writing = true;
      m_socket.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                          [self = shared_from_this()](const boost::system::error_code& ec) {
                            self->m_writing = false;
                            if (!ec && self->m_open) self->flush();
                          });
      return;
    }
    m_queued_bytes -= m_queue.front().bytes.size();
    m_queue.pop_front();
    m_sent_of_front = 0;
  }
  if (m_close_after_flush) finish(nullptr);
}

void LineChannel::close() { finish(nullptr); }

void LineChannel::close_after_flush() {
  if (!m_open) return;
  m_close_after_flush = true;
  flush();
}

void LineChannel::finish(const Error* error) {
  if (!m_open) return;
  m_open = false;
  m_queue.clear();
  boost::system::error_code ignored;
  m_socket.cancel(ignored);
  m_socket.close(ignored);
  // Tell the owner from the event loop, never from inside its own call into
  // us (send() from a handler must not re-enter that handler's owner).
  std::optional<Error> copy;
  if (error) copy = *error;
  boost::asio::post(m_socket.get_executor(), [self = shared_from_this(), copy = std::move(copy)]() {
    if (self->m_on_close) {
      auto handler = std::move(self->m_on_close);
      self->m_on_line = nullptr;
      handler(copy ? &*copy : nullptr);
    }
  });
}

}  // namespace nestlab::kernel
