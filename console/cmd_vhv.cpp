// `nestlab vhv list|inspect|rm|create`: managing virtual hypervisors.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/size.h"
#include "console/vhv_format.h"
#include "console/vm_exit.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;

std::span<const OptionSpec> no_options() { return {}; }

constexpr OptionSpec kCreateOptions[] = {
    {"name", 0, TakesValue::Yes, "NAME", "name of the virtual hypervisor (default: its id)"},
    {"mem", 'm', TakesValue::Yes, "SIZE",
     "guest RAM capacity, as QEMU -m: 256M, 1G; a plain number is MiB"},
    {"smp", 0, TakesValue::Yes, "N",
     "physical CPUs of the VHV (its QEMU's -smp), 1..8 (default 1); its VMs share them"},
    {"cpu-weight", 0, TakesValue::Yes, "N",
     "CPU weight against other VHVs, 1..10000 (default 100)"},
    {"cpu-quota", 0, TakesValue::Yes, "PERCENT", "CPU time cap, in percent of one CPU"},
    {"tenant", 0, TakesValue::Yes, "NAME",
     "the tenant whose resource group holds it (default: your user name; others: root/admin)"},
    {"hypervisor", 0, TakesValue::Yes, "HYP.elf",
     "boot this EL2 image instead of the lowvisor, GUEST operands as its guests; it starts "
     "paused until `nestlab vm run VHV HYP.elf` (docs/hypervisor.md)"},
};

// Opens a file to send as an image; -1 and `why` when it cannot be one.
int open_image(const std::string& path, std::string& why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0)
    why = std::strerror(errno);
  else if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    why = "not a regular file";
  if (!why.empty() && fd >= 0) {
    ::close(fd);
    fd = -1;
  }
  return fd;
}

// A whole number within [min, max] from an option's text.
std::optional<uint64_t> parse_bounded(const std::string& text, uint64_t min, uint64_t max) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return {};
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno || v < min || v > max) return {};
  return v;
}

std::string vhv_help() {
  return "Usage: nestlab vhv COMMAND\n"
         "\n"
         "Manages virtual hypervisors (VHVs).\n"
         "\n"
         "Commands:\n"
         "  list                 list your VHVs (all of them for root)\n"
         "  inspect VHV          show one VHV's details and exit counters\n"
         "  rm VHV [VHV...]      destroy VHVs (alias: destroy)\n"
         "  create [OPTIONS]     create a persistent VHV (it stays until rm)\n"
         "  stop VHV [VHV...]    shut it down, keep it listed for start\n"
         "  start VHV [VHV...]   start a stopped VHV again\n"
         "  stats VHV            show its resource group's CPU, memory and PIDs use\n"
         "  pause VHV            stop its CPUs and its guest's clock\n"
         "  resume VHV           run it again (guest time per the VM's tick policy)\n"
         "\n"
         "VHV is an id (vhv-3) or a name. Every command accepts --json and --help.\n";
}

int vhv_list(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, no_options(), status);
  if (!args) return status;
  if (handle_help(
          *args,
          "Usage: nestlab vhv list\n\nLists virtual hypervisors: ID NAME STATE OWNER MEM PID.\n",
          no_options()))
    return 0;
  if (!args->operands.empty())
    return usage_error(inv.name, "unexpected argument '" + args->operands[0] + "'");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  auto list = client.value()->call("vhv.list");
  if (list.is_error()) return fail(inv.name, list.error().message, kExitError);
  if (wants_json(inv, *args))
    write_all(1, json_dump(list.value(), 2) + "\n");
  else
    write_all(1, format_vhv_table(list.value()));
  return 0;
}

int vhv_inspect(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, no_options(), status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vhv inspect VHV\n\nShows a virtual hypervisor's details, its "
                  "guest and its exit counters.\n",
                  no_options()))
    return 0;
  if (args->operands.empty())
    return usage_error(inv.name, "missing VHV (an id like vhv-3, or a name)");
  if (args->operands.size() > 1)
    return usage_error(inv.name, "unexpected argument '" + args->operands[1] + "'");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  auto info = client.value()->call("vhv.inspect", {{"vhv", args->operands[0]}});
  if (info.is_error()) return fail(inv.name, info.error().message, kExitError);
  if (wants_json(inv, *args))
    write_all(1, json_dump(info.value(), 2) + "\n");
  else
    write_all(1, format_vhv_details(info.value()));
  return 0;
}

int vhv_rm(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, no_options(), status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vhv rm VHV [VHV...]\n\nDestroys virtual hypervisors: stops their "
                  "guests and QEMU, frees everything.\n",
                  no_options()))
    return 0;
  if (args->operands.empty())
    return usage_error(inv.name, "missing VHV (an id like vhv-3, or a name)");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  bool json_out = wants_json(inv, *args);
  json results = json::array();
  for (const auto& vhv : args->operands) {
    auto r = client.value()->call("vhv.destroy", {{"vhv", vhv}});
    if (r.is_error()) {
      status = kExitError;
      results.push_back({{"vhv", vhv}, {"ok", false}, {"error", r.error().message}});
      fail(inv.name, vhv + ": " + r.error().message, kExitError);
      if (!client.value()->connected()) break;
      continue;
    }
    results.push_back({{"vhv", vhv}, {"ok", true}});
    if (!json_out) write_all(1, vhv + "\n");
  }
  if (json_out) write_all(1, json_dump(results, 2) + "\n");
  return status;
}

// `vhv stop` and `vhv start`: the same loop over VHVs as `rm`, one method.
int vhv_lifecycle(const Invocation& inv, const char* method, const char* usage,
                  const char* done_word) {
  int status = 0;
  auto args = parse_or_report(inv, no_options(), status);
  if (!args) return status;
  if (handle_help(*args, usage, no_options())) return 0;
  if (args->operands.empty())
    return usage_error(inv.name, "missing VHV (an id like vhv-3, or a name)");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  bool json_out = wants_json(inv, *args);
  json results = json::array();
  for (const auto& vhv : args->operands) {
    auto r = client.value()->call(method, {{"vhv", vhv}});
    if (r.is_error()) {
      status = kExitError;
      results.push_back({{"vhv", vhv}, {"ok", false}, {"error", r.error().message}});
      fail(inv.name, vhv + ": " + r.error().message, kExitError);
      if (!client.value()->connected()) break;
      continue;
    }
    results.push_back({{"vhv", vhv}, {"ok", true}, {"info", r.value()}});
    if (!json_out) write_all(1, vhv + ": " + done_word + "\n");
  }
  if (json_out) write_all(1, json_dump(results, 2) + "\n");
  return status;
}

int vhv_stop(const Invocation& inv) {
  return vhv_lifecycle(inv, "vhv.stop",
                       "Usage: nestlab vhv stop VHV [VHV...]\n\nShuts virtual hypervisors down "
                       "(their guests, QEMU and highvisor end) but keeps them listed, with\n"
                       "their name, owner, tenant and limits, for `nestlab vhv start`.\n",
                       "stopped");
}

int vhv_start(const Invocation& inv) {
  return vhv_lifecycle(inv, "vhv.start",
                       "Usage: nestlab vhv start VHV [VHV...]\n\nStarts a stopped (or failed) "
                       "virtual hypervisor again: a new highvisor, QEMU and lowvisor\n"
                       "with the same name, owner, tenant and limits. Run a guest in it with\n"
                       "`nestlab vm run`.\n",
                       "ready");
}

int vhv_create(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kCreateOptions, status);
  if (!args) return status;
  if (handle_help(*args,
                  "Usage: nestlab vhv create [OPTIONS] [--hypervisor HYP.elf "
                  "[GUEST...]]\n\nCreates a persistent virtual hypervisor "
                  "and prints its id. Its VMs (`nestlab vm run`, up to 4 at once) take their RAM "
                  "from its --mem and share its --smp CPUs.\n",
                  kCreateOptions))
    return 0;
  const auto hypervisor = args->value("hypervisor");
  if (!hypervisor && !args->operands.empty())
    return usage_error(inv.name, "unexpected argument '" + args->operands[0] + "'");
  if (hypervisor && args->operands.size() > 8)
    return usage_error(inv.name, "too many guests: --hypervisor takes at most 8");
  json params = {{"ephemeral", false}};
  std::vector<int> fds;
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int f : fds) ::close(f);
    }
  } closer{fds};
  if (hypervisor) {
    std::vector<std::string> paths{*hypervisor};
    paths.insert(paths.end(), args->operands.begin(), args->operands.end());
    json guests = json::array();
    for (size_t i = 0; i < paths.size(); ++i) {
      std::string why;
      int fd = open_image(paths[i], why);
      if (fd < 0) return fail(inv.name, "cannot use '" + paths[i] + "': " + why, kExitError);
      fds.push_back(fd);
      const std::string name = std::filesystem::path(paths[i]).filename().string();
      if (i == 0) {
        params["hypervisor_fd"] = 0;
        params["hypervisor_name"] = name;
      } else {
        guests.push_back({{"fd", i}, {"name", name}});
      }
    }
    if (!guests.empty()) params["guests"] = guests;
  }
  if (auto mem = args->value("mem")) {
    auto size = parse_size(*mem);
    if (size.is_error()) return usage_error(inv.name, "--mem: " + size.error().message);
    params["mem"] = size.value();
  }
  if (auto smp = args->value("smp")) {
    auto v = parse_bounded(*smp, 1, 8);
    if (!v)
      return usage_error(inv.name, "--smp needs a number of CPUs from 1 to 8, not '" + *smp + "'");
    params["smp"] = *v;
  }
  if (auto name = args->value("name")) {
    if (name->empty()) return usage_error(inv.name, "--name: the name must not be empty");
    params["name"] = *name;
  }
  if (auto w = args->value("cpu-weight")) {
    auto v = parse_bounded(*w, 1, 10000);
    if (!v) return usage_error(inv.name, "--cpu-weight needs a number from 1 to 10000");
    params["cpu_weight"] = *v;
  }
  if (auto q = args->value("cpu-quota")) {
    std::string text = *q;
    if (!text.empty() && text.back() == '%') text.pop_back();
    auto v = parse_bounded(text, 1, 800);
    if (!v) return usage_error(inv.name, "--cpu-quota needs a percentage of one CPU, 1 to 800");
    params["cpu_quota"] = *v;
  }
  if (auto t = args->value("tenant")) params["tenant"] = *t;
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, kExitError);
  auto info = client.value()->call("vhv.create", params, fds);
  if (info.is_error()) return fail(inv.name, info.error().message, kExitError);
  if (wants_json(inv, *args))
    write_all(1, json_dump(info.value(), 2) + "\n");
  else
    write_all(1, client::json_string(info.value(), "id", "?") + "\n");
  return 0;
}

}  // namespace

int cmd_vhv(const Invocation& inv) {
  static constexpr Subcommand kSubs[] = {
      {"list", vhv_list},   {"ls", vhv_list},     {"inspect", vhv_inspect},
      {"rm", vhv_rm},       {"destroy", vhv_rm},  {"create", vhv_create},
      {"stats", vhv_stats}, {"pause", vhv_pause}, {"resume", vhv_resume},
      {"stop", vhv_stop},   {"start", vhv_start}};
  return dispatch_subcommand(inv, kSubs, vhv_help(),
                             "list, inspect, rm, create, stop, start, stats, pause, resume");
}

}  // namespace nestlab::cli
