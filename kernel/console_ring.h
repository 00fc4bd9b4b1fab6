// The recent console output of one VHV, bounded, so a client that subscribes
// late (or reconnects) still sees what the guest printed. Chunks are kept as
// the highvisor sent them (base64) and replayed as they came; the oldest go
// first when the bound is reached, so a guest that prints forever costs a
// fixed amount of kernel memory.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

namespace nestlab::kernel {

struct ConsoleChunk {
  int vm;
  std::string data;  // base64
};

class ConsoleRing {
 public:
  explicit ConsoleRing(size_t capacity_bytes = 64 * 1024) : m_capacity(capacity_bytes) {}

  void append(int vm, std::string data);
  const std::deque<ConsoleChunk>& chunks() const { return m_chunks; }
  size_t size_bytes() const { return m_bytes; }

 private:
  size_t m_capacity;
  size_t m_bytes = 0;  // sum of chunks' data sizes; <= m_capacity
  std::deque<ConsoleChunk> m_chunks;
};

}  // namespace nestlab::kernel
