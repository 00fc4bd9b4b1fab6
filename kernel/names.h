// VHV names and ids. User-chosen names are checked here: a name becomes a
// hostname, a cgroup path component and a CLI argument, so the alphabet is
// small. Ids ("vhv-N") come from a counter kept in the state directory, so
// an id is never given twice for the life of that directory: a new VHV
// never inherits what an old one left under its id (console logs, a
// record, a resource group).
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"

namespace nestlab::kernel {

// [a-z0-9][a-z0-9-]{0,31}
HostResult<void> validate_vhv_name(const std::string& name);

// N of "vhv-N" (N >= 1, decimal, no leading zero), or 0 for anything else.
uint64_t vhv_id_number(const std::string& id);

class VhvIdCounter {
 public:
  // `state_dir` holds the counter file (vhv-ids.json, state_file.h kind
  // "vhv-ids") and the directories whose "vhv-N" entries bound it from
  // below when that file is missing or damaged (vhvs/, consoles/).
  explicit VhvIdCounter(std::string state_dir);

  // Reads the counter. Missing: it resumes after the highest id found in
  // the state directory (a directory from before the counter, or a fresh
  // one: 1). Damaged: the same, after moving the file aside as .bad; the
  // error says so, for the log, and the counter is usable anyway.
  HostResult<void> load();
  // Makes the next id at least n (an adopted VHV's id + 1).
  void at_least(uint64_t n);
  // The next id; the counter is on disk past it before it is returned.
  HostResult<std::string> take();

  const std::string& path() const { return m_path; }

 private:
  uint64_t highest_in_state_dir() const;

  std::string m_state_dir;
  std::string m_path;
  uint64_t m_next = 1;
};

}  // namespace nestlab::kernel
