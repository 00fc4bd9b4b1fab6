// `nestlab doctor`: what this machine offers a userworld, said plainly —
// cgroup version and whether this user may make groups (delegation), user
// namespaces, seccomp, QEMU, /dev/kvm. Nothing here needs the kernel; it
// is what to check when a VHV runs "rlimits only" or does not start.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "console/client/json_get.h"
#include "console/commands.h"

namespace nestlab::cli {

namespace {

using client::json;

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string command_output(const std::string& command) {
  FILE* p = ::popen((command + " 2>/dev/null").c_str(), "re");
  if (!p) return "";
  char buf[256];
  std::string out;
  if (std::fgets(buf, sizeof buf, p)) out = buf;
  ::pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

json check_cgroups() {
  bool v2 = exists("/sys/fs/cgroup/cgroup.controllers");
  json j{{"version", v2 ? 2 : 1}};
  // Delegated: this user may create groups where nestlabd would.
  std::string where = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
  if (v2) {
    // Under systemd, a user's delegated subtree is their user@UID.service.
    std::string user = "/sys/fs/cgroup/user.slice/user-" + std::to_string(::getuid()) +
                       ".slice/user@" + std::to_string(::getuid()) + ".service";
    if (::getuid() != 0 && exists(user)) where = user;
  }
  bool delegated = ::access(where.c_str(), W_OK) == 0;
  j["delegated"] = delegated;
  j["where"] = where;
  j["summary"] = std::string("cgroup v") + (v2 ? "2" : "1") + ", " +
                 (delegated ? "this user may create groups in " + where
                            : "no delegated group for this user: VHVs run with rlimits only");
  return j;
}

json check_user_namespaces() {
  std::string max = first_line("/proc/sys/user/max_user_namespaces");
  std::string unpriv = first_line("/proc/sys/kernel/unprivileged_userns_clone");
  bool ok = !max.empty() && max != "0" && unpriv != "0";
  return {{"available", ok},
          {"summary", ok ? "available (max " + max + ")"
                         : "disabled: session mode cannot isolate VHVs without root"}};
}

json check_seccomp() {
  std::string actions = first_line("/proc/sys/kernel/seccomp/actions_avail");
  bool notify = actions.find("user_notif") != std::string::npos;
  bool ok = !actions.empty();
  return {{"available", ok},
          {"actions", actions},
          {"summary", !ok      ? "not available: the kernel lacks seccomp filters"
                      : notify ? "available, with user notification (QEMU violations are named)"
                               : "available, without user notification"}};
}

json check_qemu() {
  const char* env = std::getenv("NESTLAB_QEMU");
  std::string qemu = env && *env ? env : "qemu-system-aarch64";
  std::string version = command_output(qemu + " --version");
  return {{"binary", qemu},
          {"version", version},
          {"summary", version.empty() ? qemu + " not found: install qemu-system-arm" : version}};
}

json check_kvm() {
  bool present = exists("/dev/kvm");
  bool usable = present && ::access("/dev/kvm", R_OK | W_OK) == 0;
  return {{"present", present},
          {"usable", usable},
          {"summary", usable    ? "present and usable (nestlab itself uses TCG)"
                      : present ? "present, not accessible to this user"
                                : "absent (fine: nestlab runs QEMU with TCG)"}};
}

}  // namespace

int cmd_doctor(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab doctor\n\nReports what this machine offers virtual hypervisors: "
              "cgroup version and delegation, user namespaces, seccomp, QEMU, /dev/kvm.\n");
    return 0;
  }
  if (!args->operands.empty())
    return usage_error(inv.name, "unexpected argument '" + args->operands[0] + "'");
  json report{{"cgroups", check_cgroups()},
              {"user_namespaces", check_user_namespaces()},
              {"seccomp", check_seccomp()},
              {"qemu", check_qemu()},
              {"kvm", check_kvm()}};
  if (wants_json(inv, *args)) {
    write_all(1, client::json_dump(report, 2) + "\n");
    return 0;
  }
  const std::pair<const char*, const char*> rows[] = {{"cgroups", "cgroups:         "},
                                                      {"user_namespaces", "user namespaces: "},
                                                      {"seccomp", "seccomp:         "},
                                                      {"qemu", "QEMU:            "},
                                                      {"kvm", "/dev/kvm:        "}};
  for (const auto& [key, label] : rows)
    write_all(1, std::string(label) + report[key]["summary"].get<std::string>() + "\n");
  return 0;
}

}  // namespace nestlab::cli
