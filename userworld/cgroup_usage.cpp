#include "userworld/cgroup_usage.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace nestlab::userworld {
namespace {

// v1 reports "no limit" as the largest page-aligned value it can hold.
constexpr uint64_t kV1Unlimited = 0x7ffffffffffff000ull;

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<uint64_t> parse_u64(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno || end == s.c_str()) return std::nullopt;
  return v;
}

uint64_t number_in(const std::string& path) {
  auto text = read_text(path);
  return text ? parse_u64(*text).value_or(0) : 0;
}

}  // namespace

std::optional<uint64_t> parse_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text == "max") return std::nullopt;
  auto v = parse_u64(text);
  if (!v || *v >= kV1Unlimited) return std::nullopt;
  return v;
}

std::optional<uint64_t> parse_keyed(std::string_view text, std::string_view key) {
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string k;
    uint64_t v;
    if (words >> k >> v && k == key) return v;
  }
  return std::nullopt;
}

HostResult<CgroupUsage> read_cgroup_usage(const std::string& path, CgroupVersion version,
                                          const std::string& root) {
  CgroupUsage u;
  if (version == CgroupVersion::V2) {
    std::string dir = root + "/" + path + "/";
    auto cpu = read_text(dir + "cpu.stat");
    if (!cpu) return make_error(ErrorCode::NotFound, "no cgroup " + dir);
    u.cpu_ns = parse_keyed(*cpu, "usage_usec").value_or(0) * 1000;
    u.memory_current = number_in(dir + "memory.current");
    u.memory_peak = number_in(dir + "memory.peak");
    if (auto max = read_text(dir + "memory.max")) u.memory_limit = parse_limit(*max);
    if (auto events = read_text(dir + "memory.events")) {
      u.memory_limit_hits = parse_keyed(*events, "max").value_or(0);
      u.oom_kills = parse_keyed(*events, "oom_kill").value_or(0);
    }
    u.pids_current = number_in(dir + "pids.current");
    if (auto max = read_text(dir + "pids.max")) u.pids_limit = parse_limit(*max);
    return u;
  }
  std::string memory = root + "/memory/" + path + "/";
  auto usage = read_text(memory + "memory.usage_in_bytes");
  if (!usage) return make_error(ErrorCode::NotFound, "no cgroup " + memory);
  u.memory_current = parse_u64(*usage).value_or(0);
  u.memory_peak = number_in(memory + "memory.max_usage_in_bytes");
  if (auto limit = read_text(memory + "memory.limit_in_bytes"))
    u.memory_limit = parse_limit(*limit);
  u.memory_limit_hits = number_in(memory + "memory.failcnt");
  if (auto oom = read_text(memory + "memory.oom_control"))
    u.oom_kills = parse_keyed(*oom, "oom_kill").value_or(0);
  u.cpu_ns = number_in(root + "/cpuacct/" + path + "/cpuacct.usage");
  std::string pids = root + "/pids/" + path + "/";
  u.pids_current = number_in(pids + "pids.current");
  if (auto max = read_text(pids + "pids.max")) u.pids_limit = parse_limit(*max);
  return u;
}

HostResult<CgroupUsage> read_memory_events(const std::string& path, CgroupVersion version,
                                           const std::string& root) {
  CgroupUsage u;
  if (version == CgroupVersion::V2) {
    std::string dir = root + "/" + path + "/";
    auto events = read_text(dir + "memory.events");
    if (!events) return make_error(ErrorCode::NotFound, "no cgroup " + dir);
    u.memory_limit_hits = parse_keyed(*events, "max").value_or(0);
    u.oom_kills = parse_keyed(*events, "oom_kill").value_or(0);
    if (auto max = read_text(dir + "memory.max")) u.memory_limit = parse_limit(*max);
    return u;
  }
  std::string memory = root + "/memory/" + path + "/";
  auto failcnt = read_text(memory + "memory.failcnt");
  if (!failcnt) return make_error(ErrorCode::NotFound, "no cgroup " + memory);
  u.memory_limit_hits = parse_u64(*failcnt).value_or(0);
  if (auto oom = read_text(memory + "memory.oom_control"))
    u.oom_kills = parse_keyed(*oom, "oom_kill").value_or(0);
  if (auto limit = read_text(memory + "memory.limit_in_bytes"))
    u.memory_limit = parse_limit(*limit);
  return u;
}

}  // namespace nestlab::userworld
