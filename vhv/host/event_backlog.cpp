#include "vhv/host/event_backlog.h"

namespace nestlab::vhv {

void EventBacklog::push(std::string line, Droppable droppable) {
  m_bytes += line.size();
  m_lines.push_back(Entry{std::move(line), droppable});
  // Drop the oldest droppable lines until within the cap (a linear scan;
  // state changes are few, so it rarely walks far).
  for (auto it = m_lines.begin(); m_bytes > m_cap && it != m_lines.end();) {
    if (it->droppable == Droppable::No) {
      ++it;
      continue;
    }
    m_bytes -= it->text.size();
    m_dropped += it->text.size();
    it = m_lines.erase(it);
  }
}

void EventBacklog::pop() {
  m_bytes -= m_lines.front().text.size();
  m_lines.pop_front();
}

}  // namespace nestlab::vhv
