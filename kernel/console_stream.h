// One console stream of the console broker: a guest's serial console or a
// VHV's own (its lowvisor and QEMU diagnostics). It keeps the newest output
// in a bounded ring for replay on attach, writes all of it to a bounded
// rotated log, and knows who reads it and who may type into it.
//
// Readers: any number of API connections. Writer: at most one at a time;
// another client gets the lock only with force (takeover), and the
// previous writer is told and stays a reader.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "kernel/console_log.h"

namespace nestlab::kernel {

struct ConsoleWriter {
  uint64_t client = 0;
  pid_t pid = 0;
  uid_t uid = 0;
};

class ConsoleStream {
 public:
  ConsoleStream(size_t ring_bytes, std::string log_path, size_t log_cap,
                ConsoleDisk* disk = nullptr, uid_t owner = 0);

  void append(std::string_view bytes);
  // Puts bytes in the ring only (they are in the log already).
  void preload(std::string_view bytes);
  // The newest output, at most the ring's capacity, oldest byte first.
  std::string_view recent() const;
  uint64_t total_bytes() const { return m_total; }
  const ConsoleLog& log() const { return m_log; }

  std::set<uint64_t>& readers() { return m_readers; }
  const std::set<uint64_t>& readers() const { return m_readers; }
  const std::optional<ConsoleWriter>& writer() const { return m_writer; }
  void set_writer(std::optional<ConsoleWriter> w) { m_writer = w; }
  // Forgets a client (detach or disconnect); true if it was the writer.
  bool drop(uint64_t client);

  void set_size(unsigned rows, unsigned cols) { m_rows = rows, m_cols = cols; }
  unsigned rows() const { return m_rows; }
  unsigned cols() const { return m_cols; }

 private:
  size_t m_ring_bytes;
  std::string m_ring;  // the newest bytes start at m_ring_start
  size_t m_ring_start = 0;
  uint64_t m_total = 0;  // bytes ever appended
  ConsoleLog m_log;
  bool m_preloading = false;
  std::set<uint64_t> m_readers;
  std::optional<ConsoleWriter> m_writer;
  unsigned m_rows = 0, m_cols = 0;  // the writer's window, 0 = unknown
};

}  // namespace nestlab::kernel
