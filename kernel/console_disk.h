// Console log disk use per VHV owner, capped by the per-user bound
// "console-disk" (limits.h). Each stream's log is bounded on its own
// (console_log.h); this bounds a user's logs together, however many VHVs
// the user runs. When a write would take the user past the cap, room is
// made from that user's logs only, oldest first:
//   1. the rotated halves (….log.1), the one rotated longest ago first;
//   2. then the current file of the user's largest log, which starts again
//      empty (its newest bytes stay in the stream's ring for replay).
// So a user always keeps the newest output of every stream up to the cap,
// and no user's output can push out another's. Runs on the kernel's loop.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>

namespace nestlab::kernel {

class ConsoleLog;

class ConsoleDisk {
 public:
  explicit ConsoleDisk(size_t cap_per_user) : m_cap(cap_per_user) {}

  size_t cap() const { return m_cap; }
  size_t used(uid_t owner) const;

  // A log comes and goes (with its bytes already on disk), and its bytes
  // change: ConsoleLog calls these.
  void add(uid_t owner, ConsoleLog* log, size_t bytes);
  void remove(uid_t owner, ConsoleLog* log, size_t bytes);
  void grew(uid_t owner, size_t bytes) { m_users[owner].used += bytes; }
  void shrank(uid_t owner, size_t bytes) { m_users[owner].used -= bytes; }
  // Before one of the owner's logs writes `bytes`: evicts until they fit.
  void make_room(uid_t owner, size_t bytes);
  // Rotation order: larger is more recent.
  uint64_t next_rotation() { return ++m_rotations; }

 private:
  struct User {
    size_t used = 0;             // invariant: the sum of disk_bytes() of its logs
    std::set<ConsoleLog*> logs;  // Not owned; each removes itself.
  };
  size_t m_cap;
  uint64_t m_rotations = 0;
  std::map<uid_t, User> m_users;
};

}  // namespace nestlab::kernel
