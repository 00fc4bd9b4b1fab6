#include "kernel/limits.h"

#include <cerrno>
#include <cstdlib>

namespace nestlab::kernel {
namespace {

constexpr LimitInfo kTable[] = {
    {"connections", &Limits::connections, "API connections open at once", false},
    {"received-fds", &Limits::received_fds, "file descriptors received and not yet handled", false},
    {"subscriptions", &Limits::subscriptions, "events.subscribe and console.subscribe entries",
     false},
    {"trace-followers", &Limits::trace_followers, "vm.trace follow:true at once", false},
    {"queued-output", &Limits::queued_output, "bytes queued for the user's connections together",
     true},
    {"console-streams", &Limits::console_streams,
     "console.attach attachments across the user's connections", false},
    {"vhvs", &Limits::vhvs, "VHVs owned, in any state", false},
    {"console-disk", &Limits::console_disk, "console log bytes on disk for the user's VHVs", true},
    {"networks", &Limits::networks, "lab networks (--net NAME) with a VM on them", false},
    {"net-ports", &Limits::net_ports, "VMs on one of the user's lab networks", false},
};

const LimitInfo* find(std::string_view name) {
  for (const auto& info : kTable)
    if (name == info.name) return &info;
  return nullptr;
}

std::string known_names() {
  std::string list;
  for (const auto& info : kTable) list += (list.empty() ? "" : ", ") + std::string(info.name);
  return list;
}

HostResult<size_t> parse_value(const LimitInfo& info, std::string_view text) {
  std::string s(text);
  size_t shift = 0;
  if (info.bytes && !s.empty()) {
    switch (s.back()) {
      case 'K':
      case 'k': shift = 10; break;
      case 'M':
      case 'm': shift = 20; break;
      case 'G':
      case 'g': shift = 30; break;
      default: break;
    }
    if (shift) s.pop_back();
  }
  char* end = nullptr;
  errno = 0;
  unsigned long long v = s.empty() || s[0] == '-' ? 0 : std::strtoull(s.c_str(), &end, 10);
  if (errno || !end || *end || v == 0 || v > (~0ull >> (shift + 1)))
    return make_error(ErrorCode::InvalidArgument,
                      std::string("the bound \"") + info.name + "\" needs a positive integer" +
                          (info.bytes ? " (bytes, K, M or G allowed)" : "") + ", got '" +
                          std::string(text) + "'");
  return static_cast<size_t>(v << shift);
}

}  // namespace

std::span<const LimitInfo> limit_table() { return kTable; }

HostResult<void> set_limit(Limits& limits, std::string_view assignment) {
  size_t eq = assignment.find('=');
  std::string_view name = assignment.substr(0, eq);
  const LimitInfo* info = find(name);
  if (!info)
    return make_error(ErrorCode::InvalidArgument,
                      "unknown bound \"" + std::string(name) + "\" (known: " + known_names() + ")");
  if (eq == std::string_view::npos)
    return make_error(ErrorCode::InvalidArgument,
                      "--limit needs NAME=VALUE, e.g. " + std::string(info->name) + "=16");
  limits.*(info->member) = TRY(parse_value(*info, assignment.substr(eq + 1)));
  return {};
}

HostResult<void> limits_from_env(Limits& limits) {
  for (const auto& info : kTable) {
    std::string var = "NESTLAB_LIMIT_";
    for (const char* c = info.name; *c; ++c)
      var.push_back(*c == '-' ? '_' : static_cast<char>(*c - 'a' + 'A'));
    const char* value = std::getenv(var.c_str());
    if (!value || !*value) continue;
    auto set = set_limit(limits, std::string(info.name) + "=" + value);
    if (set.is_error())
      return make_error(ErrorCode::InvalidArgument, var + ": " + set.error().message);
  }
  return {};
}

size_t limit_value(const Limits& limits, std::string_view name) {
  const LimitInfo* info = find(name);
  return info ? limits.*(info->member) : 0;
}

Err<Error> limit_reached(std::string_view name, size_t bound, uid_t uid,
                         const std::string& holding) {
  return make_error(ErrorCode::LimitReached,
                    "uid " + std::to_string(uid) + " already has " + holding +
                        ": the per-user bound \"" + std::string(name) + "\" (" +
                        std::to_string(bound) + ") is reached; free some, or start nestlabd with " +
                        "--limit " + std::string(name) + "=N");
}

}  // namespace nestlab::kernel
