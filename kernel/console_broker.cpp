#include "kernel/console_broker.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "kernel/log.h"

namespace nestlab::kernel {
namespace {

size_t size_from_env(const char* name, size_t fallback, size_t min) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (*end || v < min) {
    log("console", std::string(name) + "=" + text + " is not a byte count >= " +
                       std::to_string(min) + "; using " + std::to_string(fallback));
    return fallback;
  }
  return static_cast<size_t>(v);
}

}  // namespace

std::string console_stream_name(int vm) {
  return vm == kVhvStream ? "vhv" : "vm" + std::to_string(vm);
}

ConsoleBroker::ConsoleBroker(std::string state_dir, size_t disk_cap_per_user,
                             std::function<uid_t(const std::string&)> owner_of)
    : m_dir(state_dir.empty() ? "" : state_dir + "/consoles"),
      m_ring_bytes(size_from_env("NESTLAB_CONSOLE_RING", 1u << 20, 4096)),
      // One stream never gets more than the user's whole budget.
      m_log_cap(std::min(size_from_env("NESTLAB_CONSOLE_LOG", 16u << 20, 8192), disk_cap_per_user)),
      m_disk(disk_cap_per_user),
      m_owner_of(std::move(owner_of)) {}

ConsoleStream& ConsoleBroker::stream(const std::string& vhv, int vm) {
  auto& slot = m_streams[{vhv, vm}];
  if (!slot) {
    std::string path =
        m_dir.empty() ? "" : m_dir + "/" + vhv + "/" + console_stream_name(vm) + ".log";
    slot = std::make_unique<ConsoleStream>(m_ring_bytes, std::move(path), m_log_cap, &m_disk,
                                           m_owner_of(vhv));
  }
  return *slot;
}

ConsoleStream* ConsoleBroker::find(const std::string& vhv, int vm) {
  auto it = m_streams.find({vhv, vm});
  return it == m_streams.end() ? nullptr : it->second.get();
}

void ConsoleBroker::reload_history(const std::string& vhv, int vm) {
  if (m_dir.empty()) return;
  std::string path = m_dir + "/" + vhv + "/" + console_stream_name(vm) + ".log";
  std::string history;
  for (const std::string& file : {path + ".1", path}) {
    std::ifstream in(file, std::ios::binary);
    if (!in) continue;
    in.seekg(0, std::ios::end);
    auto size = static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0));
    size_t want = std::min(size, m_ring_bytes);
    in.seekg(static_cast<std::streamoff>(size - want));
    std::string part(want, '\0');
    in.read(part.data(), static_cast<std::streamsize>(want));
    history += part.substr(0, static_cast<size_t>(in.gcount()));
  }
  if (history.size() > m_ring_bytes) history.erase(0, history.size() - m_ring_bytes);
  if (!history.empty()) stream(vhv, vm).preload(history);
}

void ConsoleBroker::drop_vhv(const std::string& vhv) {
  for (auto it = m_streams.begin(); it != m_streams.end();)
    it = it->first.first == vhv ? m_streams.erase(it) : std::next(it);
  remove_logs(vhv);
}

void ConsoleBroker::start_fresh(const std::string& vhv) { drop_vhv(vhv); }

void ConsoleBroker::remove_logs(const std::string& vhv) {
  if (m_dir.empty() || vhv.empty() || vhv.find('/') != std::string::npos || vhv[0] == '.') return;
  std::error_code ec;
  std::filesystem::remove_all(m_dir + "/" + vhv, ec);
  if (ec) log("console", "cannot remove the console logs of " + vhv + ": " + ec.message());
}

void ConsoleBroker::remove_orphans(const std::set<std::string>& live) {
  if (m_dir.empty()) return;
  std::error_code ec;
  std::vector<std::string> orphans;
  for (const auto& entry : std::filesystem::directory_iterator(m_dir, ec))
    if (!live.count(entry.path().filename())) orphans.push_back(entry.path().filename());
  for (const auto& id : orphans) {
    log("console", "removing the console logs of " + id + ", which no VHV owns any more");
    remove_logs(id);
  }
}

size_t ConsoleBroker::attachments(const std::set<uint64_t>& clients) const {
  size_t n = 0;
  for (const auto& [_, s] : m_streams)
    for (uint64_t reader : s->readers()) n += clients.count(reader);
  return n;
}

void ConsoleBroker::drop_client(uint64_t client) {
  for (auto& [_, s] : m_streams) s->drop(client);
}

}  // namespace nestlab::kernel
