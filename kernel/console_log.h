// A console's log on disk, bounded: `NAME.log` plus one rotated `NAME.log.1`,
// each at most half the cap, so the pair never holds more than `cap_bytes`
// however long a guest prints (DESIGN.md, "Console logs are bounded").
// Like libvirt's per-domain console logs, the files outlive the VHV's run
// for later reading, and a stream opened again (kernel restart, a new VHV
// with the same id) appends to them within the same cap.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace nestlab::kernel {

class ConsoleLog {
 public:
  // An empty path means no disk log (the ring still works).
  ConsoleLog(std::string path, size_t cap_bytes);

  void append(std::string_view bytes);
  const std::string& path() const { return m_path; }
  size_t cap() const { return m_cap; }

 private:
  enum class Truncate { No, Yes };
  void open_file(Truncate truncate);
  void rotate();

  std::string m_path;
  size_t m_cap;
  size_t m_file_limit;  // cap / 2: current file + the rotated one <= cap
  UniqueFd m_fd;
  size_t m_size = 0;  // bytes in the current file; invariant: <= m_file_limit
  bool m_failed = false;
};

}  // namespace nestlab::kernel
