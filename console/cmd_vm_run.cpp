// `nestlab vm run VHV IMAGE` and `nestlab vm wait VHV`: a guest on a VHV
// that outlives the command (created with `vhv create`), for scripts that
// start a guest, look at it with `vm stats`/`vm guestinfo`/`console --log`,
// and collect its exit code later.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <vector>

#include "console/client/json_get.h"
#include "console/commands.h"
#include "console/run_args.h"
#include "console/signals.h"
#include "console/size.h"
#include "console/vm_exit.h"
#include "console/vm_option.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;
using client::json_string;

constexpr OptionSpec kRunOptions[] = {
    {"mem", 'm', TakesValue::Yes, "SIZE",
     "guest RAM, as QEMU -m (default 128M, or what is left of the VHV's --mem)"},
    {"smp", 0, TakesValue::Yes, "N", "number of vCPUs (1 to the VHV's CPUs)"},
    {"weight", 0, TakesValue::Yes, "W",
     "CPU share against the VHV's other VMs, 1..10000 (default 1)"},
    {"vm", 0, TakesValue::Yes, "N", "run in VM slot N (default: the lowest free one)"},
    {"append", 0, TakesValue::Yes, "ARGS", "command line for the guest (/chosen/bootargs)"},
    {"initrd", 0, TakesValue::Yes, "FILE", "initial ramdisk for a Linux IMAGE, as QEMU -initrd"},
    {"disk", 0, TakesValue::Yes, "FILE[,ro]",
     "raw disk image as a virtio-blk device (repeatable; ,ro: read-only)"},
    {"net", 0, TakesValue::Yes, "NAME",
     "a virtio-net device on your lab network NAME (shared by your VMs that name it)"},
    {"wait", 'w', TakesValue::No, "", "wait for the guest to end; exit with its exit status"},
    {"timeout", 't', TakesValue::Yes, "SECONDS", "with --wait: give up after SECONDS (exit 124)"},
};
constexpr OptionSpec kWaitOptions[] = {
    {"vm", 0, TakesValue::Yes, "N", "the VM to wait for (default: VM 0, else the newest)"},
    {"timeout", 't', TakesValue::Yes, "SECONDS", "give up after SECONDS (exit 124)"},
};

constexpr int kExitTimeout = 124;  // as timeout(1)

const char* const kRunUsage =
    "Usage: nestlab vm run VHV IMAGE [OPTIONS]\n"
    "\n"
    "Runs the AArch64 guest program IMAGE (ELF or raw) as a new VM of the\n"
    "existing VHV (see `nestlab vhv create`), which keeps it after this command\n"
    "ends, and prints the VM's id. A VHV runs up to 4 VMs at once, each with its\n"
    "own RAM from the VHV's --mem, sharing its CPUs by --weight. Without --wait it\n"
    "returns as soon as the guest runs; `nestlab vm wait VHV --vm ID` collects its\n"
    "exit later, `nestlab console VHV --vm ID --log` shows its output and\n"
    "`nestlab vm list VHV` all the VMs.\n"
    "\n"
    "Exit status: 0 the guest runs (without --wait); with --wait the guest's\n"
    "status as `nestlab run` gives it; 1 an error; 2 bad command line; 124 the\n"
    "--timeout passed (the guest keeps running).\n";
const char* const kWaitUsage =
    "Usage: nestlab vm wait VHV [--vm N] [--timeout SECONDS]\n"
    "\n"
    "Waits until VM N of VHV ends (or returns at once if it already has)\n"
    "and exits with its status as `nestlab run` gives it: the guest's exit code\n"
    "after a power-off, 126 for a guest the lowvisor stopped, 125 when the VHV\n"
    "failed; 1 when no guest ran in it; 124 when the --timeout passed.\n";

std::optional<double> parse_timeout(const ParsedArgs& args, const std::string& name, int& status) {
  auto t = args.value("timeout");
  if (!t) return std::nullopt;
  char* end = nullptr;
  double seconds = std::strtod(t->c_str(), &end);
  if (t->empty() || *end != '\0' || !(seconds > 0) || seconds > 1e6) {
    status = usage_error(name, "--timeout: '" + *t + "' is not a number of seconds above 0");
    return std::nullopt;
  }
  return seconds;
}

// The row of VM `vm` in vhv.inspect's `vms` (its `vm` when the kernel is
// from before issue 13, or when vm < 0: the VHV's main VM); {} if none.
json vm_row(const json& info, int vm) {
  if (vm >= 0 && info.contains("vms") && info["vms"].is_array()) {
    for (const auto& row : info["vms"])
      if (row.is_object() && row.value("id", -1) == vm) return row;
    return json::object();
  }
  const json main = client::json_object(info, "vm");
  if (vm >= 0 && main.value("id", 0) != vm) return json::object();
  return main;
}

// The exit a finished guest left in its row, if any.
std::optional<VmExit> exit_from_row(const json& info, const json& vm) {
  if (vm.empty() || json_string(vm, "state") == "running" ||
      json_string(vm, "state") == "loading" || json_string(vm, "state") == "stopping")
    return std::nullopt;
  if (!vm.contains("reason")) return std::nullopt;
  json event{{"vhv", json_string(info, "id")},
             {"vm", vm.value("id", 0)},
             {"reason", json_string(vm, "reason")},
             {"code", vm.contains("exit_code") && vm["exit_code"].is_number_integer()
                          ? vm["exit_code"].get<int64_t>()
                          : 0},
             {"message", json_string(vm, "message")},
             {"counters", info.value("counters", json::object())}};
  return parse_vm_exit(event);
}

int report_exit(const Invocation& inv, const VmExit& exit, bool as_json) {
  const int status = exit_status_for(exit);
  if (as_json) {
    write_all(1, json_dump({{"exit",
                             {{"vhv", exit.vhv},
                              {"vm", exit.vm},
                              {"reason", exit.reason},
                              {"code", exit.code},
                              {"message", exit.message},
                              {"status", status},
                              {"counters", counters_json(exit)}}}}) +
                     "\n");
  } else {
    write_all(1, exit.vhv + ": VM " + std::to_string(exit.vm) + " ended (" + exit.reason +
                     ", code " + std::to_string(exit.code) + ")\n");
  }
  if (std::string why = describe_abnormal_exit(exit); !why.empty()) fail(inv.name, why, status);
  return status;
}

// Waits for the vm-exit event of VM `vm` of `vhv` (events already subscribed).
int wait_for_exit(const Invocation& inv, client::Client& c, const std::string& vhv, int vm,
                  std::optional<double> timeout, bool as_json) {
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      timeout ? Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(*timeout * 1000))
              : Clock::time_point::max();
  for (;;) {
    int wait_ms = -1;
    if (timeout) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        if (as_json)
          write_all(1, json_dump({{"timeout", *timeout}, {"vhv", vhv}, {"vm", vm}}) + "\n");
        return fail(inv.name,
                    "VM " + std::to_string(vm) + " of " + vhv + " still runs after the timeout",
                    kExitTimeout);
      }
      wait_ms = static_cast<int>(left);
    }
    auto next = c.next_notification(wait_ms);
    if (next.is_error()) {
      if (c.interrupted() == client::Interrupted::Yes) return kExitInterrupted;
      return fail(inv.name, next.error().message, kExitError);
    }
    if (!next.value()) continue;
    const client::Notification& n = *next.value();
    if (n.method != "event" || json_string(n.params, "vhv") != vhv) continue;
    const std::string type = json_string(n.params, "type");
    if (type == "vm-exit" && client::json_int(n.params, "vm", 0) == vm)
      return report_exit(inv, parse_vm_exit(n.params), as_json);
    if (type == "vhv-failed" || type == "vhv-stopped")
      return fail(inv.name,
                  "the virtual hypervisor " + vhv +
                      " ended before its guest: " + json_string(n.params, "message", type),
                  kExitFailed);
  }
}

int open_image(const Invocation& inv, const std::string& path, int& fd) {
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(inv.name, "cannot open '" + path + "': " + std::strerror(errno), 1);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fd = -1;
    return fail(inv.name, "cannot run '" + path + "': not a regular file", 1);
  }
  return 0;
}

}  // namespace

int vm_run(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kRunOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1, std::string(kRunUsage) + "\n" + format_options_help(kRunOptions));
    return 0;
  }
  if (args->operands.size() < 2)
    return usage_error(inv.name,
                       args->operands.empty() ? "missing VHV and IMAGE" : "missing IMAGE");
  if (args->operands.size() > 2)
    return usage_error(inv.name, "unexpected argument '" + args->operands[2] + "'");
  const std::string& vhv = args->operands[0];
  const std::string& image = args->operands[1];
  json params{{"vhv", vhv},
              {"image_fd", 0},
              {"image_name", std::filesystem::path(image).filename().string()}};
  if (auto mem = args->value("mem")) {
    auto bytes = parse_size(*mem);
    if (bytes.is_error()) return usage_error(inv.name, "--mem: " + bytes.error().message);
    params["mem"] = bytes.value();
  }
  if (auto smp = args->value("smp")) {
    auto checked = check_smp(*smp);
    if (checked.is_error()) return usage_error(inv.name, checked.error().message);
    params["smp"] = std::stoul(*smp);
  }
  if (auto append = args->value("append")) params["append"] = *append;
  std::string bad;
  if (auto w = args->value("weight")) {
    auto weight = parse_weight_option(*w, bad);
    if (!weight) return usage_error(inv.name, bad);
    params["weight"] = *weight;
  }
  if (auto v = args->value("vm")) {
    auto slot = parse_vm_option(*v, bad);
    if (!slot) return usage_error(inv.name, bad);
    params["vm"] = *slot;
  }
  const bool wait = args->has("wait");
  auto timeout = parse_timeout(*args, inv.name, status);
  if (status) return status;
  if (timeout && !wait) return usage_error(inv.name, "--timeout needs --wait");
  const bool as_json = wants_json(inv, *args);

  int fd = -1;
  if (int bad = open_image(inv, image, fd)) return bad;
  std::vector<int> fds{fd};
  if (auto initrd = args->value("initrd")) {
    int initrd_fd = -1;
    if (int bad = open_image(inv, *initrd, initrd_fd)) {
      ::close(fd);
      return bad;
    }
    params["initrd_fd"] = 1;
    params["initrd_name"] = std::filesystem::path(*initrd).filename().string();
    fds.push_back(initrd_fd);
  }
  auto close_fds = [&fds] {
    for (int f : fds) ::close(f);
  };
  if (auto words = args->all_values.find("disk"); words != args->all_values.end()) {
    auto disks = parse_disk_options(words->second);
    if (disks.is_error()) {
      close_fds();
      return usage_error(inv.name, disks.error().message);
    }
    auto list = open_disks(disks.value(), fds.size(), fds);
    if (list.is_error()) {
      close_fds();
      return fail(inv.name, list.error().message, kExitError);
    }
    params["disks"] = list.release_value();
  }
  if (auto words = args->all_values.find("net"); words != args->all_values.end()) {
    auto net = parse_net_option(words->second);
    if (net.is_error()) {
      close_fds();
      return usage_error(inv.name, net.error().message);
    }
    params["net"] = net.value();
  }
  auto c = connect(inv, *args);
  if (c.is_error()) {
    close_fds();
    return fail(inv.name, c.error().message, kExitError);
  }
  auto signals = InterruptSignals::install();
  if (signals.is_ok()) c.value()->set_interrupt_fd(signals.value()->fd());
  // Subscribe before starting, so a guest that ends at once is not missed.
  if (wait) {
    auto sub = c.value()->call("events.subscribe", {{"vhv", vhv}});
    if (sub.is_error()) {
      close_fds();
      return fail(inv.name, sub.error().message, kExitError);
    }
  }
  auto started = c.value()->call("vm.run", params, fds);
  close_fds();
  if (started.is_error()) return fail(inv.name, started.error().message, kExitError);
  const json& s = started.value();
  const int vm = static_cast<int>(client::json_int(s, "vm", 0));
  if (!wait) {
    if (as_json) {
      json out{{"vhv", vhv}, {"vm", vm}};
      for (const char* key : {"weight", "smp", "mem", "net", "mac"})
        if (s.contains(key)) out[key] = s[key];
      write_all(1, json_dump(out) + "\n");
    } else {
      // The id alone on stdout, for scripts: vm=$(nestlab vm run ...).
      write_all(1, std::to_string(vm) + "\n");
      if (::isatty(2))
        write_all(2, "VM " + std::to_string(vm) + " runs in " + vhv + "; `nestlab vm wait " + vhv +
                         " --vm " + std::to_string(vm) + "` collects its exit\n");
    }
    return 0;
  }
  // The reply names the VHV by what the user typed; events carry its id.
  auto info = c.value()->call("vhv.inspect", {{"vhv", vhv}});
  if (info.is_error()) return fail(inv.name, info.error().message, kExitError);
  if (auto done = exit_from_row(info.value(), vm_row(info.value(), vm)))
    return report_exit(inv, *done, as_json);
  return wait_for_exit(inv, *c.value(), json_string(info.value(), "id"), vm, timeout, as_json);
}

int vm_wait(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kWaitOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1, std::string(kWaitUsage) + "\n" + format_options_help(kWaitOptions));
    return 0;
  }
  if (args->operands.size() != 1)
    return usage_error(inv.name, args->operands.empty()
                                     ? "missing VHV (an id like vhv-3, or a name)"
                                     : "unexpected argument '" + args->operands[1] + "'");
  auto timeout = parse_timeout(*args, inv.name, status);
  if (status) return status;
  int vm = -1;  // the VHV's main VM
  if (auto v = args->value("vm")) {
    std::string bad;
    auto slot = parse_vm_option(*v, bad);
    if (!slot) return usage_error(inv.name, bad);
    vm = *slot;
  }
  const bool as_json = wants_json(inv, *args);
  auto c = connect(inv, *args);
  if (c.is_error()) return fail(inv.name, c.error().message, kExitError);
  auto signals = InterruptSignals::install();
  if (signals.is_ok()) c.value()->set_interrupt_fd(signals.value()->fd());
  auto sub = c.value()->call("events.subscribe", {{"vhv", args->operands[0]}});
  if (sub.is_error()) return fail(inv.name, sub.error().message, kExitError);
  auto info = c.value()->call("vhv.inspect", {{"vhv", args->operands[0]}});
  if (info.is_error()) return fail(inv.name, info.error().message, kExitError);
  const std::string id = json_string(info.value(), "id");
  const json row = vm_row(info.value(), vm);
  if (row.empty()) {
    if (vm >= 0)
      return fail(inv.name,
                  "VHV " + id + " has no VM " + std::to_string(vm) + " (see `nestlab vm list " +
                      args->operands[0] + "`)",
                  kExitError);
    return fail(inv.name, "no guest has run in " + id + " (start one with `nestlab vm run`)",
                kExitError);
  }
  if (auto done = exit_from_row(info.value(), row)) return report_exit(inv, *done, as_json);
  return wait_for_exit(inv, *c.value(), id, static_cast<int>(row.value("id", 0)), timeout, as_json);
}

}  // namespace nestlab::cli
