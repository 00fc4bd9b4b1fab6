// `nestlab tenant list|set`: tenants and their resource groups (the
// `tenant.list` and `tenant.set` API). A tenant's limits bound the sum of
// its VHVs; only root and the kernel's admin group may set them.
#include <cerrno>
#include <cstdlib>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/size.h"
#include "console/table.h"

namespace nestlab::cli {

namespace {

using client::json;

constexpr OptionSpec kSetOptions[] = {
    {"mem", 'm', TakesValue::Yes, "SIZE", "memory hard limit of all its VHVs together (0: none)"},
    {"cpu-weight", 0, TakesValue::Yes, "N", "CPU weight, 1..10000 (0: the default, 100)"},
    {"cpu-quota", 0, TakesValue::Yes, "PERCENT", "CPU time cap in percent of one CPU (0: none)"},
    {"pids", 0, TakesValue::Yes, "N", "process limit of all its VHVs together (0: none)"},
};

std::string help() {
  return "Usage: nestlab tenant COMMAND\n"
         "\n"
         "Tenants group VHVs (by default each user is one): the tenant's resource\n"
         "group holds its VHVs' groups, so its limits bound their sum.\n"
         "\n"
         "Commands:\n"
         "  list                       tenants you can see: limits, VHVs, use now\n"
         "  set TENANT [OPTIONS]       set limits (root or the admin group)\n"
         "\n"
         "Options of set (omitted ones stay as they are; 0 lifts a limit):\n" +
         format_options_help(kSetOptions);
}

std::string limit_text(const json& v, bool size) {
  if (!v.is_number_unsigned()) return "-";
  return size ? format_size(v.get<uint64_t>()) : std::to_string(v.get<uint64_t>());
}

std::string format_tenants(const json& list) {
  static const Column kColumns[] = {{"TENANT"},
                                    {"VHVS", Align::Right},
                                    {"MEM NOW", Align::Right},
                                    {"MEM LIMIT", Align::Right},
                                    {"CPU WEIGHT", Align::Right},
                                    {"CPU QUOTA", Align::Right},
                                    {"PIDS", Align::Right},
                                    {"PIDS LIMIT", Align::Right}};
  std::vector<Row> rows;
  for (const auto& t : list) {
    const json& l = t.value("limits", json::object());
    const json& u = t.value("usage", json());
    std::string mem_now = "-", pids_now = "-";
    if (u.is_object()) {
      mem_now = format_size(u["memory"].value("current", uint64_t{0}));
      pids_now = std::to_string(u["pids"].value("current", uint64_t{0}));
    }
    std::string quota = limit_text(l.value("cpu_quota", json()), false);
    if (quota != "-") quota += " %";
    rows.push_back({client::json_string(t, "tenant", "?"),
                    std::to_string(t.value("vhvs", json::array()).size()), mem_now,
                    limit_text(l.value("memory", json()), true),
                    limit_text(l.value("cpu_weight", json()), false), quota, pids_now,
                    limit_text(l.value("pids", json()), false)});
  }
  return format_table(kColumns, rows);
}

std::optional<uint64_t> whole_number(std::string text) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return {};
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno) return {};
  return v;
}

int tenant_list(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1, help());
    return 0;
  }
  if (!args->operands.empty())
    return usage_error(inv.name, "unexpected argument '" + args->operands[0] + "'");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, 1);
  auto list = client.value()->call("tenant.list");
  if (list.is_error()) return fail(inv.name, list.error().message, 1);
  if (wants_json(inv, *args))
    write_all(1, client::json_dump(list.value(), 2) + "\n");
  else
    write_all(1, format_tenants(list.value()));
  return 0;
}

int tenant_set(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kSetOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1, help());
    return 0;
  }
  if (args->operands.size() != 1)
    return usage_error(inv.name, args->operands.empty()
                                     ? "missing TENANT (a user name, or a tenant's name)"
                                     : "unexpected argument '" + args->operands[1] + "'");
  json params = {{"tenant", args->operands[0]}};
  if (auto mem = args->value("mem")) {
    if (*mem == "0") {
      params["memory"] = 0;
    } else {
      auto size = parse_size(*mem);
      if (size.is_error()) return usage_error(inv.name, "--mem: " + size.error().message);
      params["memory"] = size.value();
    }
  }
  for (const char* name : {"cpu-weight", "cpu-quota", "pids"}) {
    auto text = args->value(name);
    if (!text) continue;
    auto v = whole_number(*text);
    if (!v) return usage_error(inv.name, std::string("--") + name + " needs a whole number");
    std::string key = name;
    for (char& c : key)
      if (c == '-') c = '_';
    params[key] = *v;
  }
  if (params.size() == 1)
    return usage_error(inv.name, "nothing to set (--mem, --cpu-weight, --cpu-quota, --pids)");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, 1);
  auto r = client.value()->call("tenant.set", params);
  if (r.is_error()) return fail(inv.name, r.error().message, 1);
  if (wants_json(inv, *args))
    write_all(1, client::json_dump(r.value(), 2) + "\n");
  else
    write_all(1, format_tenants(json::array({r.value()})));
  return 0;
}

}  // namespace

int cmd_tenant(const Invocation& inv) {
  static constexpr Subcommand kSubs[] = {
      {"list", tenant_list}, {"ls", tenant_list}, {"set", tenant_set}};
  return dispatch_subcommand(inv, kSubs, help(), "list, set");
}

}  // namespace nestlab::cli
