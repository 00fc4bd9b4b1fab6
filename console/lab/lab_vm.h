// One lab run's guest: an ephemeral VHV (destroyed by the kernel when our
// connection closes, so nothing outlives the grader however it ends), the
// guest started with its guestinfo already set (the marker secret), and what
// the grader observes of it: the console, the exit, guest time, counters and
// guestinfo (docs/protocols.md: vhv.create, vm.run, vm.stats, guestinfo.get).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "console/client/client.h"
#include "console/lab/trace_match.h"
#include "console/vm_exit.h"

namespace nestlab::lab {

struct LabVmConfig {
  uint64_t mem = 64ull << 20;  // the VHV's and the guest's RAM
  uint64_t pl011 = 0;          // where the guest's PL011 is; 0 = QEMU virt's place
  unsigned smp = 1;
  std::string append;
  std::map<std::string, std::string> guestinfo;  // set before the guest's first instruction
  int image_fd = -1;                             // Not owned.
  std::string image_name;
  uint32_t weight = 1;  // the scheduler weight of the student's VM (VM 0)
  // A second copy of the image beside it (VM 1), for labs about sharing the
  // CPU (docs/labs.md, "[competitor]"); the VHV gets RAM for both.
  bool competitor = false;
  uint32_t competitor_weight = 1;
  std::string competitor_append;
  // A hypervisor lab: the image is the student's EL2 hypervisor, run as
  // `nestlab run --hypervisor IMAGE GUEST` (no lowvisor, so no append,
  // guestinfo, pl011 or competitor), with the grader's guest beside it.
  bool hypervisor = false;
  int guest_fd = -1;  // Not owned.
  std::string guest_name;
};

class LabVm {
 public:
  // Called with each chunk of guest output as it arrives (`lab run` shows it).
  using ConsoleSink = std::function<void(std::string_view)>;

  explicit LabVm(client::Client& client, ConsoleSink sink = nullptr)
      : m_client(client), m_sink(std::move(sink)) {}
  ~LabVm();
  LabVm(const LabVm&) = delete;
  LabVm& operator=(const LabVm&) = delete;

  // Creates the VHV and starts the guest; whatever exists when it fails is
  // left for destroy(). The client's interrupt fd (Ctrl-C) ends every wait
  // here with an error; client.interrupted() tells it apart.
  HostResult<void> boot(const LabVmConfig& config);

  // Takes the notifications that arrive within `timeout_ms` (at least one
  // wait; then whatever is already there).
  HostResult<void> pump(int timeout_ms);
  // For a caller with its own poll loop: reads what the socket has (call it
  // when client.fd() is readable), then takes every queued notification.
  HostResult<void> read_ready();
  // Takes the notifications already queued (e.g. during another call).
  void drain();

  // Everything the guest printed, up to kConsoleCap bytes (then `truncated`).
  const std::string& console() const { return m_console; }
  bool truncated() const { return m_truncated; }
  const std::optional<cli::VmExit>& exit() const { return m_exit; }
  // Set when the VHV failed or stopped under us (not a guest exit).
  const std::optional<std::string>& failure() const { return m_failure; }
  bool ended() const { return m_exit.has_value() || m_failure.has_value(); }

  // The guest's virtual time since it started, in ms (vm.stats guest_time_ns,
  // re-read at most every kTimeRefresh; frozen once the guest ended).
  HostResult<double> guest_ms();
  // Exit counters by class name: the final ones once the guest ended, else
  // live from vm.stats.
  HostResult<std::map<std::string, uint64_t>> counters();
  // guestinfo.get; std::nullopt when the key is not set.
  HostResult<std::optional<std::string>> guestinfo(const std::string& key);
  // CPU time the lowvisor's scheduler gave VM `vm` so far (vm.stats: the
  // sum of its vCPUs' run_ns).
  HostResult<uint64_t> run_ns(unsigned vm);
  // The VM's UUID (vm.stats uuid), as the backdoor's VM UUID service gives it.
  HostResult<std::string> uuid();
  // Takes the lowvisor's exit records written since the last call
  // (vm.trace with a cursor) into trace(). The grader calls it while it
  // waits, at most every kTracePoll, so that the per-vCPU rings of 1024
  // records do not wrap between two reads; records that were overwritten
  // before they were read are counted in trace_lost().
  HostResult<void> poll_trace(bool now = false);
  const std::vector<TraceRecord>& trace() const { return m_trace; }
  uint64_t trace_lost() const { return m_trace_lost; }
  // console.input, in pieces the kernel accepts.
  HostResult<void> send(std::string_view bytes);
  // vhv.destroy, best effort (the kernel also destroys it when we hang up).
  void destroy();

  const std::string& vhv() const { return m_vhv; }
  static constexpr size_t kConsoleCap = 8u << 20;

 private:
  void on_notification(const client::Notification& n);
  HostResult<void> boot_hypervisor(const LabVmConfig& config);

  static constexpr auto kTimeRefresh = std::chrono::milliseconds(50);
  static constexpr auto kTracePoll = std::chrono::milliseconds(100);
  static constexpr size_t kTraceCap = 1u << 18;  // records kept (~20 MiB); more count as lost

  client::Client& m_client;  // Not owned; outlives this.
  ConsoleSink m_sink;
  std::string m_vhv;  // empty until created; cleared when destroyed
  std::string m_console;
  bool m_truncated = false;
  std::optional<cli::VmExit> m_exit;
  std::optional<std::string> m_failure;
  double m_guest_ms = 0;
  std::chrono::steady_clock::time_point m_time_read;  // when m_guest_ms was read
  std::chrono::steady_clock::time_point m_started;    // vm.run answered (fallback clock)
  bool m_time_from_kernel = true;                     // false: this kernel has no guest_time_ns
  std::vector<TraceRecord> m_trace;
  nlohmann::json m_trace_cursor = nlohmann::json::array();
  uint64_t m_trace_lost = 0;
  std::chrono::steady_clock::time_point m_trace_read;
};

}  // namespace nestlab::lab
