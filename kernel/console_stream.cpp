#include "kernel/console_stream.h"

namespace nestlab::kernel {

ConsoleStream::ConsoleStream(size_t ring_bytes, std::string log_path, size_t log_cap,
                             ConsoleDisk* disk, uid_t owner)
    : m_ring_bytes(ring_bytes), m_log(std::move(log_path), log_cap, disk, owner) {}

void ConsoleStream::preload(std::string_view bytes) {
  m_preloading = true;
  append(bytes);
  m_preloading = false;
}

void ConsoleStream::append(std::string_view bytes) {
  m_total += bytes.size();
  if (!m_preloading) m_log.append(bytes);
  if (bytes.size() >= m_ring_bytes) {
    m_ring.assign(bytes.substr(bytes.size() - m_ring_bytes));
    m_ring_start = 0;
    return;
  }
  m_ring.append(bytes);
  if (m_ring.size() - m_ring_start > m_ring_bytes) m_ring_start = m_ring.size() - m_ring_bytes;
  // Compact once the dead prefix is as large as the ring: amortised O(1)
  // per byte, and memory stays under twice the capacity.
  if (m_ring_start >= m_ring_bytes) {
    m_ring.erase(0, m_ring_start);
    m_ring_start = 0;
  }
}

std::string_view ConsoleStream::recent() const {
  return std::string_view(m_ring).substr(m_ring_start);
}

bool ConsoleStream::drop(uint64_t client) {
  m_readers.erase(client);
  if (m_writer && m_writer->client == client) {
    m_writer.reset();
    return true;
  }
  return false;
}

}  // namespace nestlab::kernel
