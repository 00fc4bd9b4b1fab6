// An asio-driven JSON-line channel over a Unix stream socket: reads lines
// (with their SCM_RIGHTS fds) and writes queued lines without ever blocking
// the kernel's one event loop. Used for client connections and for each
// highvisor's control socket.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "base/json_line_socket.h"
#include "kernel/limits.h"

namespace nestlab::kernel {

// What the channels of one user hold together, against that user's bounds
// (limits.h): received fds not yet handled and output not yet written.
// Shared by the user's channels; each adds what it holds and takes it back
// when it lets go or closes.
struct SharedBudget {
  uid_t uid = 0;
  size_t max_fds = SIZE_MAX;
  size_t max_queued = SIZE_MAX;
  size_t fds = 0;     // invariant: the sum of the channels' m_fds_charged
  size_t queued = 0;  // invariant: the sum of the channels' m_queued_bytes
};

class LineChannel : public std::enable_shared_from_this<LineChannel> {
 public:
  using LineHandler = std::function<void(Line)>;
  // Called once, from the event loop, when the channel closes: EOF, an I/O
  // error, a refused line (too long, too many fds, a bound of the budget)
  // or close(). `error` is empty on a clean EOF or close().
  using CloseHandler = std::function<void(const Error* error)>;

  static std::shared_ptr<LineChannel> create(boost::asio::io_context& io, UniqueFd fd,
                                             size_t max_line = kMaxLineBytes,
                                             size_t max_queued_bytes = kMaxQueuedPerConnection,
                                             std::shared_ptr<SharedBudget> budget = nullptr);
  LineChannel(boost::asio::io_context& io, UniqueFd fd, size_t max_line, size_t max_queued,
              std::shared_ptr<SharedBudget> budget);
  ~LineChannel();

  void start(LineHandler on_line, CloseHandler on_close);
  // For a refused input (a line over the cap, too many fds, the user's fd
  // bound): the last line to send the peer before closing, e.g. a JSON-RPC
  // error. Its fds and unfinished line are dropped at once.
  void set_refusal_reply(std::function<std::string(const Error&)> reply) {
    m_refusal = std::move(reply);
  }
  // Queues a line ('\n' is added). A peer that lets more than
  // max_queued_bytes pile up, or whose user's connections together pass
  // their budget, is disconnected: it is not reading.
  void send(const std::string& text, std::vector<UniqueFd> fds = {});
  // Closes now (queued output is dropped).
  void close();
  // Closes once the queued output is written (e.g. after a final error).
  void close_after_flush();
  bool is_open() const { return m_open; }
  int native_fd() { return m_socket.native_handle(); }

 private:
  void wait_readable();
  void on_readable();
  void flush();
  void finish(const Error* error);
  // Brings the budget's count of our received fds up to date; a refusal
  // if we or our user hold too many.
  std::optional<Error> charge_fds();
  void release_budget();

  boost::asio::posix::stream_descriptor m_socket;
  LineReader m_reader;
  std::deque<OutgoingLine> m_queue;
  size_t m_sent_of_front = 0;  // bytes of m_queue.front() already written
  size_t m_queued_bytes = 0;
  size_t m_max_queued;
  std::shared_ptr<SharedBudget> m_budget;  // null: no per-user bounds (highvisor channels)
  size_t m_fds_charged = 0;                // fds of m_reader counted in m_budget
  bool m_open = true;
  bool m_writing = false;  // an async wait for writability is outstanding
  bool m_close_after_flush = false;
  LineHandler m_on_line;
  CloseHandler m_on_close;
  std::function<std::string(const Error&)> m_refusal;
};

}  // namespace nestlab::kernel
