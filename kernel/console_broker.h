// The console broker (seed S7): every console stream the kernel serves,
// one per guest console (vm >= 0) and one per VHV (kVhvStream), created on
// first output or attach. Sizes come from the environment:
// NESTLAB_CONSOLE_RING (ring bytes, default 1 MiB) and NESTLAB_CONSOLE_LOG
// (disk cap per stream, current + rotated file, default 16 MiB); the logs
// of one owner's VHVs together are capped by the per-user bound
// "console-disk" (console_disk.h). Logs live in
// <state>/consoles/<vhv id>/{vm0,vhv}.log, and only as long as the VHV:
// they are removed when it is destroyed and, should any be left (a kernel
// killed mid-way), before a new VHV starts, so no VHV ever replays another's
// output. Runs on the kernel's loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kernel/console_disk.h"
#include "kernel/console_stream.h"

namespace nestlab::kernel {

inline constexpr int kVhvStream = -1;

class ConsoleBroker {
 public:
  // `owner_of` names the uid whose console-disk budget a VHV's logs count
  // against.
  ConsoleBroker(std::string state_dir, size_t disk_cap_per_user,
                std::function<uid_t(const std::string& vhv)> owner_of);

  ConsoleStream& stream(const std::string& vhv, int vm);
  ConsoleStream* find(const std::string& vhv, int vm);
  // A re-adopted VHV (kernel restart): fills the stream's ring with the
  // newest bytes of its log on disk (the rotated file, then the current).
  void reload_history(const std::string& vhv, int vm);
  // The VHV is gone for good: its streams close and its logs are removed.
  void drop_vhv(const std::string& vhv);
  // A new VHV gets this id: whatever logs are at its place go first.
  void start_fresh(const std::string& vhv);
  // After re-adoption: removes the logs of VHVs that are not `live`.
  void remove_orphans(const std::set<std::string>& live);
  // A connection closed: it reads and writes nothing any more.
  void drop_client(uint64_t client);
  // How many (client, stream) attachments these clients hold.
  size_t attachments(const std::set<uint64_t>& clients) const;

  size_t ring_bytes() const { return m_ring_bytes; }
  size_t log_cap() const { return m_log_cap; }
  const ConsoleDisk& disk() const { return m_disk; }

 private:
  void remove_logs(const std::string& vhv);

  std::string m_dir;  // <state>/consoles
  size_t m_ring_bytes;
  size_t m_log_cap;
  ConsoleDisk m_disk;  // declared before m_streams: their logs deregister from it
  std::function<uid_t(const std::string&)> m_owner_of;
  std::map<std::pair<std::string, int>, std::unique_ptr<ConsoleStream>> m_streams;
};

std::string console_stream_name(int vm);  // "vm0", "vhv"

}  // namespace nestlab::kernel
