#include "console/vm_exit.h"

#include <algorithm>

#include "console/client/json_get.h"
#include "console/table.h"

namespace nestlab::cli {

using client::json_int;
using client::json_object;
using client::json_string;

VmExit parse_vm_exit(const nlohmann::json& params) {
  VmExit e;
  e.vhv = json_string(params, "vhv");
  e.vm = json_int(params, "vm");
  e.reason = json_string(params, "reason", "unknown");
  e.code = json_int(params, "code");
  e.message = json_string(params, "message");
  const nlohmann::json counters = json_object(params, "counters");  // Outlives the loop's proxy.
  for (const auto& [name, count] : counters.items()) {
    if (count.is_number_unsigned() || (count.is_number_integer() && count.get<int64_t>() >= 0))
      e.counters.emplace_back(name, count.get<uint64_t>());
  }
  std::sort(e.counters.begin(), e.counters.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return e;
}

int exit_status_for(const VmExit& exit) {
  if (exit.reason == "poweroff" || exit.reason == "reset")
    return static_cast<int>(exit.code & 0xff);
  if (exit.reason == "fault") return kExitGuestFault;
  if (exit.reason == "stopped") return kExitInterrupted;
  return kExitFailed;
}

std::string describe_abnormal_exit(const VmExit& exit) {
  std::string detail = exit.message.empty() ? std::string() : ": " + exit.message;
  if (exit.reason == "poweroff") return {};
  if (exit.reason == "reset") return "guest asked for a reset, which ends it" + detail;
  if (exit.reason == "fault")
    return "guest stopped" + (detail.empty() ? ": unhandled exception" : detail);
  if (exit.reason == "stopped") return "guest was stopped from outside" + detail;
  if (exit.reason == "vhv-died") return "the virtual hypervisor died" + detail;
  return "guest ended (" + exit.reason + ")" + detail;
}

std::string format_counters(const VmExit& exit) {
  static const Column kColumns[] = {{"EXIT CLASS", Align::Left}, {"COUNT", Align::Right}};
  std::vector<Row> rows;
  uint64_t total = 0;
  for (const auto& [name, count] : exit.counters) {
    rows.push_back({name, std::to_string(count)});
    total += count;
  }
  rows.push_back({"total", std::to_string(total)});
  return format_table(kColumns, rows);
}

nlohmann::json counters_json(const VmExit& exit) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, count] : exit.counters) j[name] = count;
  return j;
}

}  // namespace nestlab::cli
