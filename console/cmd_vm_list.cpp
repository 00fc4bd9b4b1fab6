// `nestlab vm list VHV` and `nestlab vm stop VHV --vm N`: the VMs of one VHV
// (issue 13), each the last to run in its slot.
#include <chrono>
#include <cstdio>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/table.h"
#include "console/vm_exit.h"
#include "console/vm_option.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;
using client::json_string;

constexpr OptionSpec kStopOptions[] = {
    {"vm", 0, TakesValue::Yes, "N", "the VM to stop (required)"},
};

constexpr auto kStopWait = std::chrono::seconds(10);

std::string mib(const json& row) {
  const int64_t bytes = client::json_int(row, "mem", 0);
  return bytes > 0 ? std::to_string(bytes >> 20) + "M" : "-";
}

}  // namespace

int vm_list(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vm list VHV\n\nLists the VMs of VHV: for each slot (0 to 3) "
                  "the VM that runs or last ran in it, with its image, state, exit code, "
                  "scheduler weight, vCPUs and RAM, and its lab network and MAC address when it "
                  "has one (--net).\n",
                  {}))
    return 0;
  if (args->operands.size() != 1)
    return usage_error(inv.name, args->operands.empty()
                                     ? "missing VHV (an id like vhv-3, or a name)"
                                     : "unexpected argument '" + args->operands[1] + "'");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  auto list = client.value()->call("vm.list", {{"vhv", args->operands[0]}});
  if (list.is_error()) return fail(inv.name, list.error().message, kExitError);
  if (wants_json(inv, *args)) {
    write_all(1, json_dump(list.value(), 2) + "\n");
    return 0;
  }
  static const Column kColumns[] = {{"VM", Align::Right},
                                    {"IMAGE"},
                                    {"STATE"},
                                    {"EXIT", Align::Right},
                                    {"WEIGHT", Align::Right},
                                    {"SMP", Align::Right},
                                    {"MEM", Align::Right}};
  // The lab network (--net) and MAC columns, when some VM has one.
  static const Column kNetColumns[] = {{"VM", Align::Right},
                                       {"IMAGE"},
                                       {"STATE"},
                                       {"EXIT", Align::Right},
                                       {"WEIGHT", Align::Right},
                                       {"SMP", Align::Right},
                                       {"MEM", Align::Right},
                                       {"NET"},
                                       {"MAC"}};
  std::vector<Row> rows;
  const json vms = list.value().value("vms", json::array());
  bool any_net = false;
  for (const auto& v : vms) any_net = any_net || !json_string(v, "net").empty();
  for (const auto& v : vms) {
    std::string exit = "-";
    if (v.contains("exit_code") && v["exit_code"].is_number_integer())
      exit = std::to_string(v["exit_code"].get<int64_t>());
    else if (json_string(v, "state") == "exited")
      exit = json_string(v, "reason", "?");
    rows.push_back({std::to_string(client::json_int(v, "vm", 0)), json_string(v, "image", "?"),
                    json_string(v, "state", "?"), exit,
                    std::to_string(client::json_int(v, "weight", 1)),
                    std::to_string(client::json_int(v, "smp", 1)), mib(v)});
    if (any_net) {
      rows.back().push_back(json_string(v, "net", "-"));
      rows.back().push_back(json_string(v, "mac", "-"));
    }
  }
  if (rows.empty()) {
    write_all(1, "no VM has run in " + args->operands[0] + " (start one with `nestlab vm run`)\n");
    return 0;
  }
  write_all(1, any_net ? format_table(kNetColumns, rows) : format_table(kColumns, rows));
  return 0;
}

int vm_stop(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kStopOptions, status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vm stop VHV --vm N\n\nStops VM N of VHV (its exit reason is "
                  "\"stopped\") and waits up to 10 s for it to end; the VHV and its other VMs "
                  "go on.\n",
                  kStopOptions))
    return 0;
  if (args->operands.size() != 1)
    return usage_error(inv.name, args->operands.empty()
                                     ? "missing VHV (an id like vhv-3, or a name)"
                                     : "unexpected argument '" + args->operands[1] + "'");
  auto v = args->value("vm");
  if (!v) return usage_error(inv.name, "which VM? give --vm N (see `nestlab vm list`)");
  std::string bad;
  auto vm = parse_vm_option(*v, bad);
  if (!vm) return usage_error(inv.name, bad);
  const std::string& vhv = args->operands[0];
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  // Subscribe first, so the VM's end is not missed.
  auto sub = client.value()->call("events.subscribe", {{"vhv", vhv}});
  if (sub.is_error()) return fail(inv.name, sub.error().message, kExitError);
  auto stopped = client.value()->call("vm.stop", {{"vhv", vhv}, {"vm", *vm}});
  if (stopped.is_error()) return fail(inv.name, stopped.error().message, kExitError);
  const std::string id = json_string(stopped.value(), "vhv", vhv);
  const auto deadline = std::chrono::steady_clock::now() + kStopWait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0)
      return fail(inv.name,
                  "VM " + std::to_string(*vm) + " of " + vhv +
                      " was asked to stop but has not "
                      "ended within 10 s",
                  kExitError);
    auto next = client.value()->next_notification(static_cast<int>(left));
    if (next.is_error()) return fail(inv.name, next.error().message, kExitError);
    if (!next.value()) continue;
    const auto& n = *next.value();
    if (n.method != "event" || json_string(n.params, "vhv") != id) continue;
    const std::string type = json_string(n.params, "type");
    if (type == "vm-exit" && client::json_int(n.params, "vm", -1) == *vm) break;
    if (type == "vhv-failed" || type == "vhv-stopped") break;
  }
  if (wants_json(inv, *args))
    write_all(1, json_dump({{"vhv", id}, {"vm", *vm}, {"stopped", true}}) + "\n");
  else
    write_all(1, "VM " + std::to_string(*vm) + " of " + vhv + " stopped\n");
  return 0;
}

}  // namespace nestlab::cli
