// The console broker (seed S7): every console stream the kernel serves,
// one per guest console (vm >= 0) and one per VHV (kVhvStream), created on
// first output or attach. Sizes come from the environment:
// NESTLAB_CONSOLE_RING (ring bytes, default 1 MiB) and NESTLAB_CONSOLE_LOG
// (disk cap per stream, current + rotated file, default 16 MiB). Logs live
// in <state>/consoles/<vhv id>/{vm0,vhv}.log. Runs on the kernel's loop.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernel/console_stream.h"

namespace nestlab::kernel {

inline constexpr int kVhvStream = -1;

class ConsoleBroker {
 public:
  explicit ConsoleBroker(std::string state_dir);

  ConsoleStream& stream(const std::string& vhv, int vm);
  ConsoleStream* find(const std::string& vhv, int vm);
  // A re-adopted VHV (kernel restart): fills the stream's ring with the
  // newest bytes of its log on disk (the rotated file, then the current).
  void reload_history(const std::string& vhv, int vm);
  // The VHV is gone for good: its streams close (their logs stay on disk).
  void drop_vhv(const std::string& vhv);
  // A connection closed: it reads and writes nothing any more.
  void drop_client(uint64_t client);

  size_t ring_bytes() const { return m_ring_bytes; }
  size_t log_cap() const { return m_log_cap; }

 private:
  std::string m_dir;  // <state>/consoles
  size_t m_ring_bytes;
  size_t m_log_cap;
  std::map<std::pair<std::string, int>, std::unique_ptr<ConsoleStream>> m_streams;
};

std::string console_stream_name(int vm);  // "vm0", "vhv"

}  // namespace nestlab::kernel
