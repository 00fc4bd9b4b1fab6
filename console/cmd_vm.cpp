// `nestlab vm stats|trace|guestinfo`: what the lowvisor's trap layer saw in a
// VM (exit counters per class, the per-vCPU exit trace) and the guestinfo
// key-value area the guest reaches through its backdoor.
#include <cinttypes>
#include <cstdio>
#include <string_view>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/vm_exit.h"
#include "console/vm_option.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;

constexpr OptionSpec kStatsOptions[] = {
    {"vm", 0, TakesValue::Yes, "N", "the VM in the VHV (default 0)"},
};
constexpr OptionSpec kTraceOptions[] = {
    {"vm", 0, TakesValue::Yes, "N", "the VM in the VHV (default 0)"},
    {"follow", 'f', TakesValue::No, "", "keep printing new exits until the VHV goes away"},
    {"limit", 'n', TakesValue::Yes, "N", "show the last N exits (1..1024, default 64)"},
};
constexpr OptionSpec kGuestInfoOptions[] = {
    {"vm", 0, TakesValue::Yes, "N", "the VM in the VHV (default 0)"},
};

std::string vm_help() {
  return "Usage: nestlab vm COMMAND VHV [OPTIONS]\n"
         "\n"
         "Runs and looks inside the guest VMs of a virtual hypervisor. A VHV runs up to\n"
         "4 VMs at once (ids 0 to 3); --vm N picks one (default VM 0).\n"
         "\n"
         "Commands:\n"
         "  run VHV IMAGE [--smp N] [--mem SIZE] [--append S] [--weight W] [--wait]\n"
         "                             add a VM to a VHV made with `vhv create`; prints its id\n"
         "  list VHV                   its VMs: image, state, exit code, weight, vCPUs, RAM\n"
         "  wait VHV [--vm N] [--timeout S]  wait for a VM to end; exit with its status\n"
         "  stop VHV --vm N            stop one VM; the others run on\n"
         "  stats VHV [--vm N]         exit counters per class, trap statistics, per-vCPU\n"
         "                             run and wait time, migrations\n"
         "  trace VHV [--vm N] [-f] [-n N]  the last exits (time, vCPU, class, PC, ISS, result)\n"
         "  guestinfo VHV [--vm N] [KEY[=VALUE]]  list, read or set the VM's guestinfo keys\n"
         "\n"
         "VHV is an id (vhv-3) or a name. Every command accepts --json and --help.\n";
}

// Common start of every subcommand: help, exactly `min`..`max` operands, the
// params {vhv, vm?}.
std::optional<json> base_params(const Invocation& inv, const ParsedArgs& args, size_t max_operands,
                                int& status) {
  if (args.operands.empty()) {
    status = usage_error(inv.name, "missing VHV (an id like vhv-3, or a name)");
    return std::nullopt;
  }
  if (args.operands.size() > max_operands) {
    status = usage_error(inv.name, "unexpected argument '" + args.operands[max_operands] + "'");
    return std::nullopt;
  }
  json params{{"vhv", args.operands[0]}};
  if (auto vm = args.value("vm")) {
    std::string bad;
    auto n = parse_vm_option(*vm, bad);
    if (!n) {
      status = usage_error(inv.name, bad);
      return std::nullopt;
    }
    params["vm"] = *n;
  }
  return params;
}

std::string format_trace_line(const json& e) {
  char line[200];
  const double t = static_cast<double>(client::json_int(e, "time_ns")) / 1e9;
  std::snprintf(
      line, sizeof line, "%14.9f  %4lld  %-12s %-18s %-10s %-8s %lld\n", t,
      static_cast<long long>(client::json_int(e, "vcpu")),
      client::json_string(e, "class", "?").c_str(), client::json_string(e, "pc", "?").c_str(),
      client::json_string(e, "iss", "?").c_str(), client::json_string(e, "result", "?").c_str(),
      static_cast<long long>(client::json_int(e, "detail")));
  return line;
}

void print_trace(const json& entries, uint64_t lost, bool as_json) {
  for (const auto& e : entries) write_all(1, as_json ? json_dump(e) + "\n" : format_trace_line(e));
  if (lost && !as_json)
    write_all(1,
              "... " + std::to_string(lost) + " exits not shown (overwritten or over --limit)\n");
}

int vm_stats(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kStatsOptions, status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vm stats VHV [--vm N]\n\nShows the exits of one VM of the VHV "
                  "counted per exception class, the statistics of the trap mechanisms, its "
                  "scheduler weight and, per vCPU, the lowvisor scheduler's run time, wait time "
                  "and migrations.\n",
                  kStatsOptions))
    return 0;
  auto params = base_params(inv, *args, 1, status);
  if (!params) return status;
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  auto stats = client.value()->call("vm.stats", *params);
  if (stats.is_error()) return fail(inv.name, stats.error().message, kExitError);
  const json& s = stats.value();
  if (wants_json(inv, *args)) {
    write_all(1, json_dump(s, 2) + "\n");
    return 0;
  }
  std::string out = "VHV " + client::json_string(s, "name") + " (" + client::json_string(s, "vhv") +
                    "), VM " + std::to_string(client::json_int(s, "vm", 0)) + ", " +
                    client::json_string(s, "vm_state", client::json_string(s, "state")) + "\n";
  if (!client::json_string(s, "image").empty())
    out += "image           " + client::json_string(s, "image") + "\n";
  if (client::json_has_int(s, "weight"))
    out += "weight          " + std::to_string(client::json_int(s, "weight")) + "\n";
  if (!client::json_string(s, "uuid").empty())
    out += "uuid            " + client::json_string(s, "uuid") + "\n";
  if (client::json_has_int(s, "total_exits"))
    out += "total exits     " + std::to_string(client::json_int(s, "total_exits")) + "\n";
  out += "\nCLASS          EXITS\n";
  const json counters = client::json_object(s, "counters");
  for (const auto& [cls, n] : counters.items()) {
    char line[80];
    std::snprintf(line, sizeof line, "%-14s %llu\n", cls.c_str(),
                  static_cast<unsigned long long>(n.is_number_unsigned() ? n.get<uint64_t>() : 0));
    out += line;
  }
  // The lowvisor scheduler's accounting per vCPU (issue 13).
  const json vcpus = s.value("vcpus", json::array());
  if (vcpus.is_array() && !vcpus.empty()) {
    out += "\nVCPU  RUN (s)      WAIT (s)     MIGRATIONS  LAST CPU\n";
    for (const auto& v : vcpus) {
      char line[120];
      std::snprintf(line, sizeof line, "%-5lld %-12.6f %-12.6f %-11lld %lld\n",
                    static_cast<long long>(client::json_int(v, "vcpu")),
                    static_cast<double>(client::json_int(v, "run_ns")) / 1e9,
                    static_cast<double>(client::json_int(v, "wait_ns")) / 1e9,
                    static_cast<long long>(client::json_int(v, "migrations")),
                    static_cast<long long>(client::json_int(v, "last_cpu")));
      out += line;
    }
  }
  const json trap = client::json_object(s, "trap");
  if (!trap.empty()) {
    out += "\nTRAP MECHANISM  COUNT\n";
    for (const auto& [name, n] : trap.items()) {
      char line[80];
      std::snprintf(
          line, sizeof line, "%-15s %llu\n", name.c_str(),
          static_cast<unsigned long long>(n.is_number_unsigned() ? n.get<uint64_t>() : 0));
      out += line;
    }
  }
  write_all(1, out);
  return 0;
}

int vm_trace(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kTraceOptions, status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vm trace VHV [--vm N] [--follow] [--limit N]\n\nPrints the VM's "
                  "last "
                  "exits, oldest first: time (s since the VHV booted), vCPU, exception class, "
                  "guest PC, ISS, the handler's result, and a class detail (the backdoor "
                  "service).\n",
                  kTraceOptions))
    return 0;
  auto params = base_params(inv, *args, 1, status);
  if (!params) return status;
  if (auto limit = args->value("limit")) {
    char* end = nullptr;
    unsigned long n = std::strtoul(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0' || n < 1 || n > 1024)
      return usage_error(inv.name, "--limit: '" + *limit + "' is not a number from 1 to 1024");
    (*params)["limit"] = n;
  }
  const bool follow = args->has("follow");
  if (follow) (*params)["follow"] = true;
  const bool as_json = wants_json(inv, *args);
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  auto trace = client.value()->call("vm.trace", *params);
  if (trace.is_error()) return fail(inv.name, trace.error().message, kExitError);
  if (!as_json)
    write_all(1,
              "          TIME  VCPU  CLASS        PC                 ISS        RESULT   DETAIL\n");
  print_trace(client::json_field(trace.value(), "entries") ? trace.value()["entries"] : json(),
              static_cast<uint64_t>(client::json_int(trace.value(), "lost")), as_json);
  while (follow) {
    auto n = client.value()->next_notification(-1);
    if (n.is_error()) return fail(inv.name, n.error().message, kExitError);
    if (!n.value() || n.value()->method != "trace") continue;
    const json& p = n.value()->params;
    print_trace(p.contains("entries") ? p["entries"] : json(),
                static_cast<uint64_t>(client::json_int(p, "lost")), as_json);
    if (p.value("end", false)) {
      if (!as_json) write_all(1, "(the VHV is gone)\n");
      break;
    }
  }
  return 0;
}

int vm_guestinfo(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kGuestInfoOptions, status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vm guestinfo VHV [--vm N] [KEY[=VALUE]]\n\nWithout KEY lists "
                  "the VM's "
                  "guestinfo keys; with KEY prints its value (exit 1 if unset); KEY=VALUE sets "
                  "it and KEY= removes it. The guest reads and writes the same keys through "
                  "its backdoor.\n",
                  kGuestInfoOptions))
    return 0;
  auto params = base_params(inv, *args, 2, status);
  if (!params) return status;
  const char* method = "guestinfo.get";
  std::string key;
  if (args->operands.size() == 2) {
    const std::string& word = args->operands[1];
    const size_t eq = word.find('=');
    key = word.substr(0, eq);
    (*params)["key"] = key;
    if (eq != std::string::npos) {
      (*params)["value"] = word.substr(eq + 1);
      method = "guestinfo.set";
    }
  }
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  auto r = client.value()->call(method, *params);
  if (r.is_error()) return fail(inv.name, r.error().message, kExitError);
  const json& v = r.value();
  if (wants_json(inv, *args)) {
    write_all(1, json_dump(v, 2) + "\n");
    return 0;
  }
  if (std::string_view(method) == "guestinfo.set") return 0;
  if (!key.empty()) {
    if (!v.contains("value") || !v["value"].is_string())
      return fail(inv.name, "no guestinfo key '" + key + "'", kExitError);
    write_all(1, v["value"].get<std::string>() + "\n");
    return 0;
  }
  std::string out;
  const json values = client::json_object(v, "values");
  for (const auto& [k, val] : values.items())
    out += k + "=" + (val.is_string() ? val.get<std::string>() : std::string()) + "\n";
  write_all(1, out);
  return 0;
}

}  // namespace

int cmd_vm(const Invocation& inv) {
  static constexpr Subcommand kSubs[] = {
      {"stats", vm_stats}, {"trace", vm_trace}, {"guestinfo", vm_guestinfo}, {"run", vm_run},
      {"list", vm_list},   {"ls", vm_list},     {"stop", vm_stop},           {"wait", vm_wait}};
  return dispatch_subcommand(inv, kSubs, vm_help(),
                             "run, list, wait, stop, stats, trace, guestinfo");
}

}  // namespace nestlab::cli
