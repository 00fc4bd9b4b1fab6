// Command line and environment of nestlabd: which mode it runs in and where
// its socket and state live (docs/protocols.md, "Files and places").
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/error.h"
#include "kernel/limits.h"
#include "kernel/vhv_identity.h"

namespace nestlab::kernel {

enum class Mode { System, Session };

struct Options {
  Mode mode = Mode::Session;
  std::string socket_path;
  std::string state_dir;
  std::string vhv_path;             // the highvisor executable
  std::string cgroup_parent;        // VHV cgroups are <cgroup_parent>/<tenant>/<vhv id>
  bool jail = true;                 // userworlds pivot_root and drop capabilities (--no-jail)
  std::string socket_group;         // group given rw on the socket (--socket-group), system mode
  std::string admin_group;          // members see and control every VHV (--admin-group)
  std::optional<gid_t> socket_gid;  // socket_group resolved
  std::optional<gid_t> admin_gid;   // admin_group resolved
  // System mode with the jail: each VHV runs as a uid of its own from this
  // range (--vhv-uids, NESTLAB_VHV_UIDS); none otherwise.
  std::optional<UidRange> vhv_uids;
  std::optional<int> idle_exit_seconds;
  std::optional<int> ready_fd;
  Limits limits;  // per-user bounds: --limit NAME=N, NESTLAB_LIMIT_<NAME>
  bool help = false;
};

// Parses argv and the environment (NESTLAB_SOCKET, NESTLAB_STATE_DIR,
// NESTLAB_VHV, NESTLAB_CGROUP_PARENT, NESTLAB_SOCKET_GROUP, NESTLAB_ADMIN_GROUP,
// NESTLAB_VHV_UIDS, NESTLAB_LIMIT_*, XDG_*). A --limit flag wins over the environment.
HostResult<Options> parse_options(int argc, char** argv);

const char* usage();
const char* mode_name(Mode mode);

}  // namespace nestlab::kernel
