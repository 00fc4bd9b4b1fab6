// A console's log on disk, bounded: `NAME.log` plus one rotated `NAME.log.1`,
// each at most half the cap, so the pair never holds more than `cap_bytes`
// however long a guest prints (DESIGN.md, "Console logs are bounded").
// With a ConsoleDisk, the logs of one owner are also bounded together
// (console_disk.h says what goes first). The file is opened on the first
// write, so a stream nobody prints to holds no fd. A log reopened for the
// same VHV (kernel restart, vhv.start) appends within the same caps; the
// console broker removes a VHV's logs when it is destroyed and before a
// new VHV starts, so output never passes from one VHV to another.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace nestlab::kernel {

class ConsoleDisk;

class ConsoleLog {
 public:
  // An empty path means no disk log (the ring still works). `disk`, if
  // given, must outlive the log.
  ConsoleLog(std::string path, size_t cap_bytes, ConsoleDisk* disk = nullptr, uid_t owner = 0);
  ~ConsoleLog();
  ConsoleLog(const ConsoleLog&) = delete;
  ConsoleLog& operator=(const ConsoleLog&) = delete;

  void append(std::string_view bytes);
  const std::string& path() const { return m_path; }
  size_t cap() const { return m_cap; }

  // For ConsoleDisk: what is on disk, and two ways to free it.
  size_t current_bytes() const { return m_size; }
  size_t rotated_bytes() const { return m_rotated; }
  uint64_t rotated_at() const { return m_rotated_at; }
  void drop_rotated();  // removes NAME.log.1
  void restart();       // empties NAME.log

 private:
  enum class Truncate { No, Yes };
  void open_file(Truncate truncate);
  void rotate();
  void set_sizes(size_t current, size_t rotated);

  std::string m_path;
  size_t m_cap;
  size_t m_file_limit;  // cap / 2: current file + the rotated one <= cap
  ConsoleDisk* m_disk;  // Not owned; may be null.
  uid_t m_owner;
  UniqueFd m_fd;
  size_t m_size = 0;          // bytes in the current file; invariant: <= m_file_limit
  size_t m_rotated = 0;       // bytes in NAME.log.1
  uint64_t m_rotated_at = 0;  // ConsoleDisk::next_rotation() when it was made
  bool m_failed = false;
};

}  // namespace nestlab::kernel
