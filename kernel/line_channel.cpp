#include "kernel/line_channel.h"

#include <fcntl.h>

#include <boost/asio/post.hpp>

#include "kernel/log.h"

namespace nestlab::kernel {

std::shared_ptr<LineChannel> LineChannel::create(boost::asio::io_context& io, UniqueFd fd,
                                                 size_t max_line, size_t max_queued_bytes,
                                                 std::shared_ptr<SharedBudget> budget) {
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  return std::make_shared<LineChannel>(io, std::move(fd), max_line, max_queued_bytes,
                                       std::move(budget));
}

LineChannel::LineChannel(boost::asio::io_context& io, UniqueFd fd, size_t max_line,
                         size_t max_queued, std::shared_ptr<SharedBudget> budget)
    : m_socket(io, fd.release()),
      m_reader(max_line),
      m_max_queued(max_queued),
      m_budget(std::move(budget)) {}

LineChannel::~LineChannel() { release_budget(); }

void LineChannel::release_budget() {
  if (m_budget) {
    m_budget->fds -= m_fds_charged;
    m_budget->queued -= m_queued_bytes;
  }
  m_fds_charged = 0;
  m_queued_bytes = 0;
}

std::optional<Error> LineChannel::charge_fds() {
  size_t held = m_reader.held_fds();
  if (m_budget) m_budget->fds = m_budget->fds - m_fds_charged + held;
  m_fds_charged = held;
  // A line's fds ride on the one sendmsg that starts it, so more than one
  // message's worth waiting for the end of a line is a peer hoarding them.
  if (held > kMaxFdsPerConnection)
    return Error{ErrorCode::InvalidArgument,
                 std::to_string(held) +
                     " file descriptors arrived for one unfinished line (at "
                     "most " +
                     std::to_string(kMaxFdsPerConnection) +
                     ", sent with the line on one sendmsg); dropped with the line"};
  if (m_budget && held && m_budget->fds > m_budget->max_fds)
    return limit_reached(
               "received-fds", m_budget->max_fds, m_budget->uid,
               std::to_string(m_budget->fds) + " file descriptors received and not yet handled")
        .error;
  return std::nullopt;
}

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
  std::optional<Error> refused = charge_fds();
  if (!refused && status.is_error() && status.error().code == ErrorCode::InvalidArgument)
    refused = status.release_error();
  if (refused) {
    log("api", "refusing a peer's input: " + refused->message);
    m_reader.discard();  // the unfinished line and its fds go now
    charge_fds();
    if (!m_refusal) return finish(&*refused);
    send(m_refusal(*refused));
    close_after_flush();
    return;
  }
  if (status.is_error()) {
    Error e = status.release_error();
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
  if (m_budget) m_budget->queued += text.size() + 1;
  if (m_queued_bytes > m_max_queued) {
    Error e{ErrorCode::Unavailable, "peer is not reading its messages (more than " +
                                        std::to_string(m_max_queued) +
                                        " bytes queued for it); disconnected"};
    finish(&e);
    return;
  }
  if (m_budget && m_budget->queued > m_budget->max_queued) {
    Error e = limit_reached(
                  "queued-output", m_budget->max_queued, m_budget->uid,
                  std::to_string(m_budget->queued) + " bytes of output queued for its connections")
                  .error;
    e.message += "; this connection is not reading its messages and is disconnected";
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
    if (m_budget) m_budget->queued -= m_queue.front().bytes.size();
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
  m_reader.discard();  // fds of an unfinished line close now, not when the last owner lets go
  release_budget();
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
