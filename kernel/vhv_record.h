// Everything the kernel knows about one VHV, as a plain struct: what VhvInfo
// (protocols.md section 1) reports, and what the kernel writes to its state
// directory (state_file.h) so that a restarted kernel re-adopts running VHVs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace nestlab::kernel {

enum class VhvState { Starting, Ready, Running, Stopped, Failed };
const char* vhv_state_name(VhvState s);

// One VM of a VHV (issue 13): the last one that ran in its slot.
struct VmRecord {
  int id = 0;  // its slot, 0..kMaxVmId (vm_ids.h)
  std::string image;
  std::string state = "starting";  // starting, running, stopping, exited
  std::optional<int> exit_code;
  std::string reason;
  std::string message;
  nlohmann::json counters = nlohmann::json::object();
  uint64_t weight = 1;
  int smp = 1;
  uint64_t mem = 0;      // bytes of guest RAM; 0: not known (a record from before issue 13)
  uint64_t run_seq = 0;  // which VM of the VHV ran last: the largest
  std::string net;       // the lab network it is on (--net NAME); empty: none
  std::string mac;       // its virtio-net MAC, "02:..."; empty without net
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
  // The student's EL2 image it runs instead of the lowvisor (--hypervisor);
  // empty: the lowvisor.
  std::string hypervisor;
  // Sorted by id, at most one per id: the VMs that run or ran in the VHV.
  std::vector<VmRecord> vms;
  uint64_t next_run_seq = 1;

  VmRecord* find_vm(int id);
  const VmRecord* find_vm(int id) const;
  // What vhv.inspect's "vm" shows (the single VM before issue 13): VM 0 if
  // it ever ran, else the newest. nullptr: none ran.
  const VmRecord* main_vm() const;
  // The slot's record, made (in order) if there was none.
  VmRecord& vm_slot(int id);
  bool any_vm_running() const;

  // Resource group (issue 3): <parent>/<tenant>/<id>, with these limits.
  std::string tenant;
  uint64_t cpu_weight = 0;  // 0: the default (100)
  uint64_t cpu_quota = 0;   // percent of one CPU; 0: none
  std::optional<uint64_t> memory_limit;
  uint64_t memory_limit_hits = 0;  // as last seen in the group's counters
  uint64_t oom_kills = 0;
  std::string memory_event;  // the last memory-limit event's message

  uint64_t start_time = 0;  // the highvisor's, /proc/PID/stat field 22
  uid_t host_uid = 0;       // what its highvisor and QEMU run as on the host
  bool adopted = false;     // re-adopted by a restarted kernel
  bool paused = false;      // vhv.pause: QEMU stopped, guest time held
};

// Bounds of the strings a record keeps (record_to_state). They are checked
// where each string comes in (the API, the highvisor's hello) and again
// when a record is read back, so a record always fits its state file and a
// restarted kernel can always read what an earlier one wrote.
inline constexpr size_t kMaxImageName = 255;      // a file name (NAME_MAX)
inline constexpr size_t kMaxRecordString = 1024;  // any other: ids, names, cgroup paths
inline constexpr size_t kMaxAppend = 1023;        // boot arguments, NUL-terminated in 1 KiB

// An error naming `what` when `value` is longer than `max` bytes.
HostResult<void> check_length(const char* what, const std::string& value, size_t max);
// `value` cut to at most `max` bytes (at a UTF-8 character boundary).
std::string bounded(const std::string& value, size_t max);

nlohmann::json to_json(const VhvRecord& r);
// {vm, image, state, exit_code?, reason?, message?, weight, smp, mem}: vm.list's rows.
nlohmann::json vm_to_json(const VmRecord& vm);

// What the state directory holds for a VHV (kind "vhv"), and back. A record
// read back is checked field by field; a bad one is an error naming the
// field, never a half-filled record.
nlohmann::json record_to_state(const VhvRecord& r);
HostResult<VhvRecord> record_from_state(const nlohmann::json& j);

}  // namespace nestlab::kernel
