// Newline-framed messages over a Unix stream socket, with file descriptors
// riding on a line as SCM_RIGHTS (docs/protocols.md, sections 1 and 2).
//
// A sender puts a line and its fds in one sendmsg(). Linux ends a recvmsg()
// right after the write that carried fds, so the reader gives them to the last
// line that starts in the chunk they arrived with: the line the sender meant,
// as long as it sends one line per sendmsg (send_line and write_some do).
// Shared by nestlabd, its clients (the CLI) and the highvisor.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/fd_passing.h"
#include "base/unique_fd.h"

namespace nestlab {

inline constexpr size_t kMaxLineBytes = 1u << 20;  // protocols.md: 1 MiB cap

struct Line {
  std::string text;  // without the trailing '\n'
  std::vector<UniqueFd> fds;
};

enum class ReadStatus { Data, WouldBlock, Eof };

class LineReader {
 public:
  explicit LineReader(size_t max_line = kMaxLineBytes) : m_max_line(max_line) {}

  // One recvmsg() on fd (blocking or not, as the fd is). Errors are I/O errors;
  // a line longer than the cap is InvalidArgument and the stream is then
  // unusable (there is no way to find the next line boundary we can trust);
  // the complete lines before it can still be taken out, the long one and
  // what follows it are dropped.
  HostResult<ReadStatus> read_some(int fd);

  // The next complete line, if one is buffered.
  std::optional<Line> next_line();

  // True if bytes of an unfinished line are buffered (EOF mid-line).
  bool has_partial() const { return !m_buffer.empty(); }
  // File descriptors received and not yet handed out with their line. Once
  // the complete lines are taken out they all belong to the unfinished one,
  // which a well-behaved peer gives at most one message's worth.
  size_t held_fds() const;
  // Drops everything buffered: the unfinished line and its fds (closed).
  void discard();

 private:
  struct PendingFds {
    size_t offset;  // stream offset of the first line byte they belong to
    std::vector<UniqueFd> fds;
  };
  size_t m_max_line;
  std::string m_buffer;        // unconsumed bytes
  size_t m_buffer_offset = 0;  // stream offset of m_buffer[0]
  std::deque<PendingFds> m_fds;
};

// Encodes one line ready to send ('\n' appended). Kept separate from the
// write so an async writer can queue it.
struct OutgoingLine {
  std::string bytes;
  std::vector<UniqueFd> fds;  // sent with the first byte, then closed
};

// One sendmsg() attempt of what is left of `line` starting at `*sent`.
// Advances *sent. Non-blocking sockets give WouldBlock via the status.
enum class WriteStatus { Done, WouldBlock };
HostResult<WriteStatus> write_some(int fd, OutgoingLine& line, size_t* sent);

// Blocking convenience for simple clients (the CLI): sends `text` + '\n' with
// `fds` attached; retries on EINTR and short writes.
HostResult<void> send_line(int fd, std::string_view text, std::span<const int> fds = {});

}  // namespace nestlab
