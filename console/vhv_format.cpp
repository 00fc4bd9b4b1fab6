#include "console/vhv_format.h"

#include <pwd.h>

#include <algorithm>
#include <ctime>
#include <utility>
#include <vector>

#include "console/client/json_get.h"
#include "console/size.h"
#include "console/table.h"

namespace nestlab::cli {

using client::json_field;
using client::json_has_int;
using client::json_int;
using client::json_object;
using client::json_string;
using nlohmann::json;

namespace {

std::string int_or_dash(const json& j, const char* key) {
  return json_has_int(j, key) ? std::to_string(json_int(j, key)) : "-";
}

std::string mem_text(const json& j) {
  int64_t mem = json_int(j, "mem", -1);
  return mem > 0 ? format_size(static_cast<uint64_t>(mem)) : "-";
}

std::string time_text(int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm tm{};
  char buf[64];
  if (!localtime_r(&t, &tm) || !std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %Z", &tm))
    return std::to_string(unix_seconds);
  return buf;
}

using Lines = std::vector<std::pair<std::string, std::string>>;

std::string align(const Lines& lines, const std::string& indent) {
  size_t width = 0;
  for (const auto& l : lines) width = std::max(width, l.first.size());
  std::string out;
  for (const auto& [k, v] : lines)
    out += indent + k + ":" + std::string(width - k.size() + 1, ' ') + v + "\n";
  return out;
}

}  // namespace

std::string owner_name(int64_t uid) {
  if (uid < 0) return "-";
  passwd pw{}, *found = nullptr;
  char buf[1024];
  if (getpwuid_r(static_cast<uid_t>(uid), &pw, buf, sizeof(buf), &found) == 0 && found)
    return found->pw_name;
  return std::to_string(uid);
}

// "running (paused)" while `vhv pause` holds the VHV's CPUs.
std::string state_text(const json& v) {
  std::string state = json_string(v, "state", "?");
  if (v.is_object() && v.value("paused", false)) state += " (paused)";
  return state;
}

std::string format_vhv_table(const json& vhvs) {
  static const Column kColumns[] = {
      {"ID"}, {"NAME"}, {"STATE"}, {"OWNER"}, {"MEM", Align::Right}, {"PID", Align::Right}};
  std::vector<Row> rows;
  if (vhvs.is_array()) {
    for (const auto& v : vhvs) {
      rows.push_back({json_string(v, "id", "?"), json_string(v, "name", "-"), state_text(v),
                      owner_name(json_int(v, "owner_uid", -1)), mem_text(v),
                      int_or_dash(v, "pid")});
    }
  }
  return format_table(kColumns, rows);
}

std::string format_vhv_details(const json& info) {
  Lines top = {
      {"id", json_string(info, "id", "?")}, {"name", json_string(info, "name", "-")},
      {"state", state_text(info)},          {"owner", owner_name(json_int(info, "owner_uid", -1))},
      {"pid", int_or_dash(info, "pid")},    {"qemu pid", int_or_dash(info, "qemu_pid")},
      {"memory", mem_text(info)},           {"vcpus", int_or_dash(info, "smp")},
  };
  if (json_has_int(info, "created"))
    top.emplace_back("created", time_text(json_int(info, "created")));
  if (auto cg = json_string(info, "cgroup"); !cg.empty()) top.emplace_back("cgroup", cg);
  if (auto t = json_string(info, "tenant"); !t.empty()) top.emplace_back("tenant", t);
  // docs/hypervisor.md: the student's EL2 image runs instead of the lowvisor.
  if (auto h = json_string(info, "hypervisor"); !h.empty()) top.emplace_back("hypervisor", h);
  if (json_has_int(info, "cpu_weight"))
    top.emplace_back("cpu weight", int_or_dash(info, "cpu_weight"));
  if (json_has_int(info, "cpu_quota"))
    top.emplace_back("cpu quota", int_or_dash(info, "cpu_quota") + " % of a CPU");
  if (const json* ev = json_field(info, "memory_events"); ev && ev->is_object()) {
    if (auto last = json_string(*ev, "last"); !last.empty()) top.emplace_back("memory event", last);
  }
  if (auto m = json_string(info, "message"); !m.empty()) top.emplace_back("message", m);
  if (info.value("adopted", false)) top.emplace_back("adopted", "yes (after a kernel restart)");
  std::string out = align(top, "");

  if (const json* vm = json_field(info, "vm"); vm && vm->is_object()) {
    Lines l = {{"id", int_or_dash(*vm, "id")},
               {"image", json_string(*vm, "image", "-")},
               {"state", json_string(*vm, "state", "?")}};
    if (json_has_int(*vm, "exit_code"))
      l.emplace_back("exit code", std::to_string(json_int(*vm, "exit_code")));
    if (auto r = json_string(*vm, "reason"); !r.empty()) l.emplace_back("reason", r);
    if (auto m = json_string(*vm, "message"); !m.empty()) l.emplace_back("message", m);
    out += "vm:\n" + align(l, "  ");
  }

  json counters = json_object(info, "counters");
  if (!counters.empty()) {
    Lines l;
    for (const auto& [name, count] : counters.items())
      l.emplace_back(name, count.is_number() ? count.dump() : "?");
    out += "exits:\n" + align(l, "  ");
  }
  return out;
}

}  // namespace nestlab::cli
