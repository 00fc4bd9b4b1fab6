// `nestlab top`: a refreshing table of the caller's VHVs (all of them for
// root and the admin group) with what each resource group uses, like
// `virt-top` or `systemd-cgtop`. CPU % is the cgroup's CPU time over the
// wall time between two samples (100 % = one core busy).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/size.h"
#include "console/table.h"

namespace nestlab::cli {

namespace {

using client::json;
using Clock = std::chrono::steady_clock;

constexpr OptionSpec kTopOptions[] = {
    {"once", 0, TakesValue::No, "", "print one table (CPU % over up to 1 s) and exit"},
    {"delay", 'd', TakesValue::Yes, "SECONDS", "time between refreshes (default 2, min 0.1)"},
    {"iterations", 'n', TakesValue::Yes, "N", "stop after N refreshes"},
};

constexpr char kHelp[] =
    "Usage: nestlab top [--once] [-d SECONDS] [-n N] [--json]\n"
    "\n"
    "Shows your virtual hypervisors (all of them for root and the admin group) with\n"
    "what each resource group uses: CPU % since the previous refresh (100 % = one\n"
    "core), memory now, at peak and its limit, limit hits and OOM kills, PIDs.\n"
    "Refreshes every 2 s until Ctrl-C.\n"
    "\n"
    "Options:\n"
    "      --once             print one table (CPU % over up to 1 s) and exit\n"
    "  -d, --delay SECONDS    time between refreshes (default 2, min 0.1)\n"
    "  -n, --iterations N     stop after N refreshes\n"
    "      --json             one JSON array per refresh, one object per VHV:\n"
    "                         {vhv, name, state, owner_uid, tenant, limits, cpu_percent,\n"
    "                          cpu_ns, memory: {current, peak, limit, limit_hits,\n"
    "                          oom_kills}, pids: {current, limit}}; null where unknown\n";

struct Sample {
  Clock::time_point when;
  uint64_t cpu_ns = 0;
};

std::string size_cell(const json& v) {
  return v.is_number_unsigned() ? format_size(v.get<uint64_t>()) : std::string("-");
}

std::string number_cell(const json& v) {
  return v.is_number() ? std::to_string(v.get<uint64_t>()) : std::string("-");
}

// One refresh: every VHV the caller may see, its usage and the CPU % since
// the previous sample of the same VHV in `previous` (updated).
HostResult<json> sample(client::Client& c, std::map<std::string, Sample>& previous) {
  json list = TRY(c.call("vhv.list"));
  json rows = json::array();
  std::map<std::string, Sample> next;
  for (const json& v : list) {
    std::string id = client::json_string(v, "id");
    json row{{"vhv", id},
             {"name", client::json_string(v, "name")},
             {"state", client::json_string(v, "state")},
             {"owner_uid", v.value("owner_uid", json())},
             {"tenant", v.value("tenant", json())},
             {"limits", v.value("limits", json())},
             {"cpu_percent", nullptr},
             {"cpu_ns", nullptr},
             {"memory", nullptr},
             {"pids", nullptr}};
    // A VHV can end between the list and its stats: show what the list said.
    auto stats = c.call("vhv.stats", {{"vhv", id}});
    if (stats.is_ok() && stats.value().value("usage", json()).is_object()) {
      const json& u = stats.value()["usage"];
      Sample now{Clock::now(), u.value("cpu_ns", uint64_t{0})};
      row["cpu_ns"] = now.cpu_ns;
      row["memory"] = u.value("memory", json());
      row["pids"] = u.value("pids", json());
      auto it = previous.find(id);
      if (it != previous.end() && now.when > it->second.when && now.cpu_ns >= it->second.cpu_ns) {
        double wall = std::chrono::duration<double, std::nano>(now.when - it->second.when).count();
        double pct = 100.0 * static_cast<double>(now.cpu_ns - it->second.cpu_ns) / wall;
        row["cpu_percent"] = std::round(pct * 10) / 10;
      }
      next[id] = now;
    }
    rows.push_back(std::move(row));
  }
  previous = std::move(next);
  return rows;
}

std::string format_top(const json& rows) {
  static const Column kColumns[] = {
      // not constexpr: GCC 12 with UBSan rejects it
      {"ID"},
      {"NAME"},
      {"STATE"},
      {"CPU%", Align::Right},
      {"MEM", Align::Right},
      {"PEAK", Align::Right},
      {"LIMIT", Align::Right},
      {"HITS", Align::Right},
      {"OOM", Align::Right},
      {"PIDS", Align::Right},
      {"TENANT"},
  };
  std::vector<Row> table;
  for (const json& r : rows) {
    const json& m = r.value("memory", json());
    const json& p = r.value("pids", json());
    json none;
    char cpu[32] = "-";
    if (r["cpu_percent"].is_number())
      std::snprintf(cpu, sizeof cpu, "%.1f", r["cpu_percent"].get<double>());
    std::string limit = "-";
    if (m.is_object())
      limit = m.value("limit", json()).is_number() ? size_cell(m["limit"]) : "none";
    std::string tenant =
        r.value("tenant", json()).is_string() ? r["tenant"].get<std::string>() : "-";
    table.push_back({r["vhv"].get<std::string>(), r["name"].get<std::string>(),
                     r["state"].get<std::string>(), cpu,
                     size_cell(m.is_object() ? m.value("current", none) : none),
                     size_cell(m.is_object() ? m.value("peak", none) : none), limit,
                     number_cell(m.is_object() ? m.value("limit_hits", none) : none),
                     number_cell(m.is_object() ? m.value("oom_kills", none) : none),
                     number_cell(p.is_object() ? p.value("current", none) : none), tenant});
  }
  if (table.empty()) return "no VHVs\n";
  return format_table(kColumns, table);
}

}  // namespace

int cmd_top(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kTopOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1, kHelp);
    return 0;
  }
  if (!args->operands.empty())
    return usage_error(inv.name, "unexpected argument '" + args->operands[0] + "'");
  double delay = 2.0;
  if (auto d = args->value("delay")) {
    char* end = nullptr;
    delay = std::strtod(d->c_str(), &end);
    if (!end || *end || d->empty() || !(delay >= 0.1) || delay > 3600)
      return usage_error(inv.name, "--delay needs seconds from 0.1 to 3600, got '" + *d + "'");
  }
  long iterations = -1;  // forever
  if (auto n = args->value("iterations")) {
    char* end = nullptr;
    iterations = std::strtol(n->c_str(), &end, 10);
    if (!end || *end || n->empty() || iterations < 1)
      return usage_error(inv.name, "--iterations needs a positive integer, got '" + *n + "'");
  }
  bool once = args->has("once");
  if (once) iterations = 1;
  bool json_out = wants_json(inv, *args);
  bool tty = ::isatty(1) == 1 && !json_out;

  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, 1);
  std::map<std::string, Sample> previous;
  auto pause = std::chrono::duration<double>(delay);
  if (once) {
    // A first sample, so the one printed has CPU % over --delay.
    auto first = sample(*client.value(), previous);
    if (first.is_error()) return fail(inv.name, first.error().message, 1);
    std::this_thread::sleep_for(std::min(pause, std::chrono::duration<double>(1.0)));
  }
  for (long i = 0; iterations < 0 || i < iterations; ++i) {
    if (i > 0) std::this_thread::sleep_for(pause);
    auto rows = sample(*client.value(), previous);
    if (rows.is_error()) return fail(inv.name, rows.error().message, 1);
    if (json_out) {
      write_all(1, client::json_dump(rows.value()) + "\n");
    } else {
      // Clear the screen between refreshes on a terminal; a pipe gets the
      // tables one after another, separated by a blank line.
      std::string out = tty ? "\033[H\033[2J" : (i > 0 ? "\n" : "");
      write_all(1, out + format_top(rows.value()));
    }
  }
  return 0;
}

}  // namespace nestlab::cli
