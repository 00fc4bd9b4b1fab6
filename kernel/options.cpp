#include "kernel/options.h"

#include "kernel/access_groups.h"

#include "base/places.h"

#include <unistd.h>

#include <cctype>
#include <climits>
#include <cstdlib>
#include <string_view>

namespace nestlab::kernel {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string self_dir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

HostResult<int> parse_int(std::string_view flag, const char* text, int min) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text, &end, 10);
  if (errno || !end || *end || end == text || v < min || v > INT_MAX)
    return make_error(ErrorCode::InvalidArgument, std::string(flag) + " needs an integer >= " +
                                                      std::to_string(min) + ", got '" + text + "'");
  return static_cast<int>(v);
}

}  // namespace

const char* usage() {
  return "usage: nestlabd [--foreground] [--idle-exit SECONDS] [--ready-fd N]\n"
         "\n"
         "The nestlab hypervisor kernel: serves the JSON-RPC API on a Unix socket and\n"
         "runs each virtual hypervisor in its own userworld.\n"
         "\n"
         "  --foreground         stay in the foreground (the default; logs go to stderr)\n"
         "  --idle-exit SECONDS  exit once there have been no VHVs and no clients for SECONDS\n"
         "  --ready-fd N         write one byte to fd N once the socket accepts connections\n"
         "  --no-jail            keep the host's root and capabilities in userworlds (for\n"
         "                       benchmark baselines and debugging; also NESTLAB_NO_JAIL=1)\n"
         "  --socket-group NAME  give group NAME read/write on the socket, so its members\n"
         "                       can use a system-mode kernel (also NESTLAB_SOCKET_GROUP)\n"
         "  --admin-group NAME   members of group NAME see and control every VHV, as root\n"
         "                       does (also NESTLAB_ADMIN_GROUP)\n"
         "  --limit NAME=N       a per-user bound (also NESTLAB_LIMIT_<NAME>); NAME is one\n"
         "                       of connections, received-fds, subscriptions,\n"
         "                       trace-followers, queued-output, console-streams, vhvs,\n"
         "                       console-disk, networks, net-ports (docs/protocols.md,\n"
         "                       \"Per-user bounds\")\n"
         "  --vhv-uids BASE:COUNT  system mode: each VHV's highvisor and QEMU run as a uid\n"
         "                       and gid of their own from this range (default\n"
         "                       1879048192:65536; also NESTLAB_VHV_UIDS)\n"
         "  --help               show this text\n"
         "\n"
         "As root: socket /run/nestlab/nestlab.sock, state /var/lib/nestlab (system mode).\n"
         "Otherwise: $XDG_RUNTIME_DIR/nestlab/nestlab.sock, $XDG_DATA_HOME/nestlab (session).\n"
         "NESTLAB_SOCKET and NESTLAB_STATE_DIR override both; NESTLAB_VHV names the\n"
         "highvisor (default: nestlab-vhv next to nestlabd).\n";
}

const char* mode_name(Mode mode) { return mode == Mode::System ? "system" : "session"; }

HostResult<Options> parse_options(int argc, char** argv) {
  Options o;
  TRY(limits_from_env(o.limits));
  std::string vhv_uids;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> HostResult<const char*> {
      if (i + 1 >= argc)
        return make_error(ErrorCode::InvalidArgument, std::string(a) + " needs a value");
      return static_cast<const char*>(argv[++i]);
    };
    if (a == "--help" || a == "-h")
      o.help = true;
    else if (a == "--foreground")
      continue;
    else if (a == "--idle-exit")
      o.idle_exit_seconds = TRY(parse_int(a, TRY(value()), 1));
    else if (a == "--no-jail")
      o.jail = false;
    else if (a == "--socket-group")
      o.socket_group = TRY(value());
    else if (a == "--admin-group")
      o.admin_group = TRY(value());
    else if (a == "--limit")
      TRY(set_limit(o.limits, TRY(value())));
    else if (a == "--vhv-uids")
      vhv_uids = TRY(value());
    else if (a == "--ready-fd")
      o.ready_fd = TRY(parse_int(a, TRY(value()), 0));
    else
      return make_error(ErrorCode::InvalidArgument,
                        "unknown option '" + std::string(a) + "' (try --help)");
  }

  uid_t uid = ::geteuid();
  o.mode = uid == 0 ? Mode::System : Mode::Session;
  o.socket_path = default_socket_path();
  o.state_dir = default_state_dir();
  o.cgroup_parent = o.mode == Mode::System ? "nestlab" : "nestlab-" + std::to_string(uid);
  o.cgroup_parent = env_or("NESTLAB_CGROUP_PARENT", o.cgroup_parent);
  // It is part of every VHV's group path, which records keep (bounded).
  bool parent_ok = !o.cgroup_parent.empty() && o.cgroup_parent.size() <= 256 &&
                   o.cgroup_parent.front() != '/' && o.cgroup_parent.back() != '/' &&
                   o.cgroup_parent.find("..") == std::string::npos;
  for (char c : o.cgroup_parent)
    parent_ok = parent_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                              c == '.' || c == '/');
  if (!parent_ok)
    return make_error(ErrorCode::InvalidArgument,
                      "bad cgroup parent \"" + o.cgroup_parent.substr(0, 64) +
                          "\" (NESTLAB_CGROUP_PARENT): use up to 256 of A-Z a-z 0-9 - _ . /, "
                          "relative, without \"..\"");
  o.vhv_path = env_or("NESTLAB_VHV", self_dir() + "/nestlab-vhv");
  if (env_or("NESTLAB_NO_JAIL", "0") == "1") o.jail = false;
  if (o.socket_group.empty()) o.socket_group = env_or("NESTLAB_SOCKET_GROUP", "");
  if (o.admin_group.empty()) o.admin_group = env_or("NESTLAB_ADMIN_GROUP", "");
  if (vhv_uids.empty()) vhv_uids = env_or("NESTLAB_VHV_UIDS", "");
  UidRange uids = vhv_uids.empty() ? kDefaultVhvUids : TRY(parse_uid_range(vhv_uids));
  if (o.mode == Mode::System && o.jail) o.vhv_uids = uids;
  o.socket_gid = TRY(resolve_group(o.socket_group));
  o.admin_gid = TRY(resolve_group(o.admin_group));
  if (o.socket_path.size() >= 108)
    return make_error(ErrorCode::InvalidArgument,
                      "socket path is too long for a Unix socket: " + o.socket_path);
  return o;
}

}  // namespace nestlab::kernel
