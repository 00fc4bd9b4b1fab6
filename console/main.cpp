// nestlab: the command-line client of the nestlab kernel (nestlabd).
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "console/commands.h"

namespace nestlab::cli {

namespace {

struct Command {
  std::string_view name;
  CommandFn fn;
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"run", cmd_run, "run a guest program in a new virtual hypervisor"},
    {"vhv", cmd_vhv, "list, inspect, create and remove virtual hypervisors"},
    {"vm", cmd_vm, "exit statistics, exit trace and guestinfo of a VHV's guest"},
    {"console", cmd_console, "attach this terminal to a guest's serial console"},
    {"demo", cmd_demo, "three guests in three virtual hypervisors, side by side"},
    {"lab", cmd_lab, "labs: list, show, init a working copy, run it, grade it"},
    {"kernel", cmd_kernel, "status of the nestlab kernel (nestlabd)"},
    {"top", cmd_top, "a refreshing table of VHVs: CPU %, memory now/peak/limit, PIDs"},
    {"tenant", cmd_tenant, "tenants: their resource limits, VHVs and use"},
    {"doctor", cmd_doctor, "what this machine offers VHVs: cgroups, namespaces, seccomp, QEMU"},
    {"version", cmd_version, "versions of nestlab and nestlabd"},
};

std::string top_help() {
  std::string out =
      "Usage: nestlab [--json] [--socket PATH] COMMAND [ARGS...]\n"
      "\n"
      "nestlab runs AArch64 guests inside virtual hypervisors managed by nestlabd,\n"
      "which is started on demand.\n"
      "\n"
      "Commands:\n";
  for (const auto& c : kCommands)
    out += "  " + std::string(c.name) + std::string(10 - c.name.size(), ' ') +
           std::string(c.summary) + "\n";
  out +=
      "\n"
      "Try 'nestlab demo' first, then 'nestlab run IMAGE'.\n"
      "'nestlab COMMAND --help' describes a command. Every command accepts --json.\n";
  return out;
}

int dispatch(const std::vector<std::string>& words) {
  Invocation inv;
  inv.name = "nestlab";
  size_t i = 0;
  // Options before the command word apply to every command.
  for (; i < words.size() && words[i].starts_with("-"); ++i) {
    const std::string& w = words[i];
    if (w == "--json")
      inv.json = true;
    else if (w == "--help" || w == "-h") {
      write_all(1, top_help());
      return 0;
    } else if (w == "--version") {
      return cmd_version(inv);
    } else if (w == "--socket" && i + 1 < words.size()) {
      inv.socket = words[++i];
    } else if (w.starts_with("--socket=")) {
      inv.socket = w.substr(9);
    } else if (w == "--socket") {
      return usage_error(inv.name, "option '--socket' needs a value (PATH)");
    } else {
      return usage_error(inv.name, "unknown option '" + w + "'");
    }
  }
  if (i == words.size())
    return usage_error(inv.name, "missing command (run, vhv, demo, kernel, version)");
  const std::string& word = words[i];
  if (word == "help") {
    write_all(1, top_help());
    return 0;
  }
  for (const auto& c : kCommands) {
    if (c.name != word) continue;
    inv.name += " " + word;
    inv.args.assign(words.begin() + static_cast<long>(i) + 1, words.end());
    return c.fn(inv);
  }
  return usage_error(inv.name, "unknown command '" + word + "'");
}

}  // namespace

}  // namespace nestlab::cli

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  // The modules report errors as Results; this only keeps a bug (say, an
  // allocation failure) from ending in an abort and a core dump.
  try {
    return nestlab::cli::dispatch(words);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nestlab: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "nestlab: internal error\n");
  }
  return 125;
}
