#include "kernel/console_disk.h"

#include "kernel/console_log.h"

namespace nestlab::kernel {

size_t ConsoleDisk::used(uid_t owner) const {
  auto it = m_users.find(owner);
  return it == m_users.end() ? 0 : it->second.used;
}

void ConsoleDisk::add(uid_t owner, ConsoleLog* log, size_t bytes) {
  User& u = m_users[owner];
  u.logs.insert(log);
  u.used += bytes;
}

void ConsoleDisk::remove(uid_t owner, ConsoleLog* log, size_t bytes) {
  User& u = m_users[owner];
  u.logs.erase(log);
  u.used -= bytes;
  if (u.logs.empty()) m_users.erase(owner);
}

void ConsoleDisk::make_room(uid_t owner, size_t bytes) {
  User& u = m_users[owner];
  while (u.used + bytes > m_cap) {
    ConsoleLog* oldest = nullptr;
    for (ConsoleLog* log : u.logs)
      if (log->rotated_bytes() && (!oldest || log->rotated_at() < oldest->rotated_at()))
        oldest = log;
    if (oldest) {
      oldest->drop_rotated();
      continue;
    }
    ConsoleLog* largest = nullptr;
    for (ConsoleLog* log : u.logs)
      if (log->current_bytes() && (!largest || log->current_bytes() > largest->current_bytes()))
        largest = log;
    // Nothing left to free: the write is larger than the whole cap, which
    // ConsoleLog's own limit (at most half the cap per file) rules out.
    if (!largest) return;
    largest->restart();
  }
}

}  // namespace nestlab::kernel
