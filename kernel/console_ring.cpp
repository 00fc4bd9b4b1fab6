#include "kernel/console_ring.h"

namespace nestlab::kernel {

void ConsoleRing::append(int vm, std::string data) {
  if (data.size() > m_capacity) {
    // Keep the newest whole base64 quads of an oversized chunk.
    size_t keep = m_capacity / 4 * 4;
    data.erase(0, data.size() - keep);
  }
  m_bytes += data.size();
  m_chunks.push_back({vm, std::move(data)});
  while (m_bytes > m_capacity) {
    m_bytes -= m_chunks.front().data.size();
    m_chunks.pop_front();
  }
}

}  // namespace nestlab::kernel
