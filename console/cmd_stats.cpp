// `nestlab vhv stats VHV`: what a VHV's resource group has used (the
// `vhv.stats` API): CPU time, memory now and at peak against its limit,
// limit hits and OOM kills, PIDs.
#include <cstdio>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/size.h"

namespace nestlab::cli {

namespace {

using client::json;

std::string size_or_unlimited(const json& v) {
  return v.is_number_unsigned() ? format_size(v.get<uint64_t>()) : std::string("unlimited");
}

std::string format_stats(const json& s) {
  std::string out = "VHV:      " + client::json_string(s, "name", "?") + " (" +
                    client::json_string(s, "vhv", "?") + "), " +
                    client::json_string(s, "state", "?") + "\n";
  const json& u = s.value("usage", json());
  if (!u.is_object()) {
    out += "Usage:    none (" + client::json_string(s, "note", "no cgroup") + ")\n";
    return out;
  }
  out += "Cgroup:   " + client::json_string(s, "cgroup", "?") + "\n";
  char cpu[64];
  std::snprintf(cpu, sizeof cpu, "%.3f s",
                static_cast<double>(u.value("cpu_ns", uint64_t{0})) / 1e9);
  out += std::string("CPU:      ") + cpu + "\n";
  const json& m = u.value("memory", json::object());
  out += "Memory:   " + format_size(m.value("current", uint64_t{0})) + " now, " +
         format_size(m.value("peak", uint64_t{0})) + " peak, limit " +
         size_or_unlimited(m.value("limit", json())) + "\n";
  out += "          limit hit " + std::to_string(m.value("limit_hits", uint64_t{0})) +
         " times, OOM kills " + std::to_string(m.value("oom_kills", uint64_t{0})) + "\n";
  const json& p = u.value("pids", json::object());
  json limit = p.value("limit", json());
  out += "PIDs:     " + std::to_string(p.value("current", uint64_t{0})) + " of " +
         (limit.is_number() ? std::to_string(limit.get<uint64_t>()) : std::string("unlimited")) +
         "\n";
  return out;
}

}  // namespace

int vhv_stats(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab vhv stats VHV\n\nShows what a virtual hypervisor's resource group "
              "has used: CPU time, memory (now, peak, limit, limit hits, OOM kills), PIDs.\n");
    return 0;
  }
  if (args->operands.size() != 1)
    return usage_error(inv.name, args->operands.empty()
                                     ? "missing VHV (an id like vhv-3, or a name)"
                                     : "unexpected argument '" + args->operands[1] + "'");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, 1);
  auto stats = client.value()->call("vhv.stats", {{"vhv", args->operands[0]}});
  if (stats.is_error()) return fail(inv.name, stats.error().message, 1);
  if (wants_json(inv, *args))
    write_all(1, client::json_dump(stats.value(), 2) + "\n");
  else
    write_all(1, format_stats(stats.value()));
  return 0;
}

}  // namespace nestlab::cli
