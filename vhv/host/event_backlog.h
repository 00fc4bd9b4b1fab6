// What the highvisor says while no nestlabd is connected (the kernel died
// and has not come back yet): kept in order and bounded, then sent to the
// next kernel that connects. When the bound is reached the oldest console
// and log lines go first; state changes (ready, vm-exit, failed, replies)
// are kept, so a re-adopting kernel learns what happened even if it missed
// some output. DESIGN.md S5, docs/protocols.md §2 "Reconnecting".
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace nestlab::vhv {

enum class Droppable { No, Yes };

class EventBacklog {
 public:
  explicit EventBacklog(size_t cap_bytes) : m_cap(cap_bytes) {}

  void push(std::string line, Droppable droppable);
  bool empty() const { return m_lines.empty(); }
  // The oldest line; the queue must not be empty.
  const std::string& front() const { return m_lines.front().text; }
  void pop();

  size_t bytes() const { return m_bytes; }
  // Bytes of console/log lines dropped to stay within the cap, ever.
  uint64_t dropped_bytes() const { return m_dropped; }

 private:
  struct Entry {
    std::string text;
    Droppable droppable;
  };
  size_t m_cap;
  size_t m_bytes = 0;  // invariant: <= m_cap unless only undroppable lines remain
  uint64_t m_dropped = 0;
  std::deque<Entry> m_lines;
};

}  // namespace nestlab::vhv
