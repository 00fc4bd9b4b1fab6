// Everything the kernel knows about one VHV, as a plain struct: what VhvInfo
// (protocols.md section 1) reports, and what a later kernel would write to
// the state directory to re-adopt running VHVs after a restart.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace nestlab::kernel {

enum class VhvState { Starting, Ready, Running, Stopped, Failed };
const char* vhv_state_name(VhvState s);

struct VmRecord {
  int id = 0;
  std::string image;
  std::string state = "starting";  // starting, running, exited
  std::optional<int> exit_code;
  std::string reason;
  std::string message;
  nlohmann::json counters = nlohmann::json::object();
};

struct VhvRecord {
  std::string id;    // "vhv-N", never reused while the kernel runs
  std::string name;  // the id unless the user chose one
  uid_t owner_uid = 0;
  pid_t pid = -1;                 // highvisor, host PID
  std::optional<pid_t> qemu_pid;  // as the highvisor reports it (its namespace)
  uint64_t mem = 0;
  int smp = 1;
  int64_t created = 0;  // unix seconds
  bool ephemeral = false;
  std::optional<std::string> cgroup;  // null: not confined by a cgroup
  std::string limits;                 // "cgroup" or "rlimits-only"
  VhvState state = VhvState::Starting;
  std::string message;  // why it failed, e.g. "killed: seccomp violation: openat"
  std::optional<VmRecord> vm;
};

nlohmann::json to_json(const VhvRecord& r);

}  // namespace nestlab::kernel
