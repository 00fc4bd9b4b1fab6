// The highvisor: one per VHV, PID 1 of the VHV's userworld. It owns the VHV's
// RAM, starts QEMU with the lowvisor, serves the lowvisor's channel and speaks
// to nestlabd on its control socket (docs/protocols.md §2 and §3).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/unique_fd.h"
#include "vhv/common/status_page.h"
#include "vhv/host/byoh/el2_log.h"
#include "vhv/host/byoh/lab_contract.h"
#include "vhv/host/control_channel.h"
#include "vhv/host/event_backlog.h"
#include "vhv/host/frame_codec.h"
#include "vhv/host/pause_resume.h"
#include "vhv/host/qemu_process.h"
#include "vhv/host/qmp_client.h"
#include "vhv/host/vhv_ram.h"
#include "vhv/host/vm_memory.h"
#include "vhv/host/vm_slot.h"

namespace nestlab::vhv {

// A guest image for a --hypervisor VHV, as nestlabd passed it.
struct GuestFd {
  int fd = -1;  // owned by the process; read and closed by Highvisor::create
  std::string name;
};

struct HighvisorConfig {
  std::string name;
  uint64_t mem = 128ull << 20;
  unsigned smp = 1;
  int control_fd = 3;
  // A listening socket nestlabd made: after the control connection ends,
  // the next kernel connects here and the VHV goes on. -1: the VHV shuts
  // down when its control connection ends.
  int listen_fd = -1;
  std::string qemu_binary;
  std::string lowvisor_image;
  // --hypervisor (docs/hypervisor.md): the student's EL2 image runs instead
  // of the lowvisor, with these guests placed by the lab contract. -1: the
  // lowvisor. Read and closed by Highvisor::create.
  int hypervisor_fd = -1;
  std::string hypervisor_name;
  std::vector<GuestFd> guests;
};

class Highvisor {
 public:
  static HostResult<std::unique_ptr<Highvisor>> create(const HighvisorConfig& config);
  // Runs until shutdown; returns the process exit status.
  int run();

 private:
  // Whether a guest runs is per VM (m_vms); this is the VHV's own state.
  enum class State { Booting, Ready, Stopping };

  Highvisor(HighvisorConfig config, std::unique_ptr<VhvRam> ram, int signal_fd)
      : m_config(std::move(config)),
        m_ram(std::move(ram)),
        m_memory(layout::kGuestRamPa, m_ram->size() - layout::kVhvOverhead, m_ram->guest_mem()),
        m_control(m_config.control_fd),
        m_signal_fd(signal_fd) {}

  HostResult<void> start_qemu();
  // byoh/hypervisor_mode.cpp: a VHV that runs the student's own EL2 image.
  struct HypervisorRun {
    std::string name;
    HypPlan plan;          // the guests' flat bytes are dropped once written
    UniqueFd image;        // a memfd with the image, QEMU's -kernel
    UniqueFd log;          // read end of QEMU's -d int pipe (nonblocking)
    UniqueFd log_write;    // its write end, until QEMU has it
    El2LogParser el2;      // what QEMU saw the hypervisor take at EL2
    bool started = false;  // `cont` sent: the image runs (once per VHV)
    bool ended = false;    // QEMU is gone
    bool ready_sent = false;
    bool registers_wanted = false;  // SYSTEM_OFF seen: read x1 at the next STOP
    std::string reason;             // "poweroff", "reset", "fault", "stopped"; empty: not known yet
    int exit_code = 0;
    std::chrono::steady_clock::time_point started_at;
  };
  HostResult<void> prepare_hypervisor();
  HostResult<void> place_guests();
  nlohmann::json run_hypervisor(const nlohmann::json& params);
  nlohmann::json stop_hypervisor();
  nlohmann::json hypervisor_stats() const;
  nlohmann::json hypervisor_trace(const nlohmann::json& params) const;
  nlohmann::json hypervisor_console_input(const nlohmann::json& params);
  nlohmann::json hypervisor_counters() const;
  void on_hypervisor_serial();
  void on_el2_log();
  void on_hypervisor_qmp_events();
  void on_hypervisor_exited(int status);
  uint64_t hypervisor_time_ns() const;
  void on_serial();
  void on_frame(const Frame& frame);
  void on_qemu_stderr();
  void on_qemu_seccomp_violation();
  bool on_control();  // false: the kernel went away
  void on_signal();
  void handle_request(const nlohmann::json& request);
  // vm_requests.cpp: the requests about one VM (protocols.md §2).
  nlohmann::json run_vm(const nlohmann::json& params);
  nlohmann::json stop_vm(const nlohmann::json& params);
  nlohmann::json vm_stats(const nlohmann::json& params) const;
  nlohmann::json vms_json() const;
  bool any_vm_busy() const;
  // Frees the VM's memory and slot after its VmExit or RunFailed.
  void release_vm(unsigned vm);
  void on_vm_started(unsigned vm);
  // virtio_doorbell.cpp: a VirtioNotify frame, served here (virtio/virtio_service.h).
  void on_virtio_notify(const Frame& frame);
  // A VM's lab-network port is readable (virtio/net_device.h).
  void on_net_port(unsigned vm);
  std::optional<GuestRamView> guest_ram_view(unsigned vm) const;
  void send_virtio_answer(const VirtioAnswer& answer);
  nlohmann::json counters(unsigned vm) const;
  uint64_t guest_time_ns(unsigned vm) const;  // since the VM's RunVm; docs/labs.md
  StatusPage read_status(unsigned vm) const;
  void emit(const nlohmann::json& event);
  // reconnect.cpp: surviving the kernel's death (protocols.md §2, "Reconnecting")
  void on_control_lost(const std::string& why);
  void accept_control();
  nlohmann::json hello() const;
  void log(const std::string& text);
  void fail(const std::string& message);
  void begin_shutdown();
  void finish_shutdown();

  HighvisorConfig m_config;
  std::unique_ptr<VhvRam> m_ram;
  VmMemory m_memory;  // guest RAM and staging blocks of the VMs in m_ram
  VmSlots m_vms;      // VM id = index
  // From the lowvisor's Ready frame: 1 runs one VM (VM 0) at a time, 2 and
  // later several (channel.h ReadyPayload).
  uint32_t m_lowvisor_protocol = 0;
  uint32_t m_lowvisor_cpus = 0;
  std::unique_ptr<HypervisorRun> m_hyp;  // null: the lowvisor runs
  std::unique_ptr<QemuProcess> m_qemu;
  std::unique_ptr<QmpClient> m_qmp;
  ControlChannel m_control;
  FrameDecoder m_decoder;
  std::string m_raw_text;     // lowvisor text outside frames, until a newline
  std::string m_stderr_text;  // QEMU's stderr, until a newline
  int m_signal_fd;
  State m_state = State::Booting;
  bool m_done = false;
  int m_exit_status = 0;
  std::chrono::steady_clock::time_point m_boot_deadline;
  std::chrono::steady_clock::time_point m_stop_deadline;
  nlohmann::json m_shutdown_reply_id;     // null when no shutdown request waits for an answer
  PauseState m_pause;                     // S10: pause_resume.h
  EventBacklog m_backlog{kBacklogBytes};  // lines for the next kernel while none is connected
  uint64_t m_connections = 1;             // the first is the inherited control fd
  static constexpr size_t kBacklogBytes = 1u << 20;
};

}  // namespace nestlab::vhv
