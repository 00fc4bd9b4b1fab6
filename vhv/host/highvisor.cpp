#include "vhv/host/highvisor.h"

#include "base/control_protocol.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/base64.h"
#include "userworld/seccomp_policy.h"
#include "userworld/seccomp_report.h"
#include "vhv/common/channel.h"
#include "vhv/common/esr.h"
#include "vhv/common/layout.h"
#include "vhv/host/console_input.h"
#include "vhv/host/image_stager.h"
#include "vhv/host/qemu_seccomp.h"
#include "vhv/host/trap_observer.h"

namespace nestlab::vhv {

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {
// TCG boots the lowvisor in milliseconds; this only guards against a hang.
constexpr auto kBootTimeout = 20s;
constexpr auto kStopTimeout = 2s;
constexpr size_t kMaxPendingText = 4096;

const char* reason_name(channel::VmExitReason r) {
  switch (r) {
    case channel::VmExitReason::PowerOff: return "poweroff";
    case channel::VmExitReason::Reset: return "reset";
    case channel::VmExitReason::Fault: return "fault";
    case channel::VmExitReason::Stopped: return "stopped";
  }
  return "fault";
}
}  // namespace

HostResult<std::unique_ptr<Highvisor>> Highvisor::create(const HighvisorConfig& config) {
  auto ram = TRY(VhvRam::create(config.mem));
  guestinfo_format(*ram);  // before QEMU starts: the lowvisor finds it ready
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return errno_error("signalfd");
  signal(SIGPIPE, SIG_IGN);
  auto hv = std::unique_ptr<Highvisor>(new Highvisor(config, std::move(ram), sfd));
  if (config.hypervisor_fd >= 0) TRY(hv->prepare_hypervisor());  // byoh/hypervisor_mode.cpp
  TRY(hv->start_qemu());
  // From here on the highvisor only serves fds it holds: its allowlist
  // (userworld/seccomp_policy.h) goes on now, with the reporter that names
  // a violation to the kernel.
  userworld::install_sigsys_reporter(config.control_fd);
  TRY(userworld::install_highvisor_filter(userworld::seccomp_mode_from_env()));
  return hv;
}

HostResult<void> Highvisor::start_qemu() {
  QemuConfig qc;
  qc.qemu_binary = m_config.qemu_binary;
  qc.lowvisor_image = m_config.lowvisor_image;
  qc.ram_size = m_ram->size();
  qc.ram_fd = m_ram->fd();
  qc.smp = m_config.smp;
  qc.name = m_config.name;
  if (m_hyp) {
    // The machine plain QEMU would be: RAM as asked, the rest of the memfd
    // unused.
    qc.hypervisor = true;
    qc.ram_size = m_config.mem;
    qc.hypervisor_fd = m_hyp->image.get();
    qc.log_fd = m_hyp->log_write.get();
  }
  m_qemu = TRY(QemuProcess::spawn(qc));
  // Only QEMU may hold the log pipe's write end: its exit is then the end of the log.
  if (m_hyp) m_hyp->log_write.reset();
  m_qmp = std::make_unique<QmpClient>(m_qemu->qmp_fd());
  auto hs = m_qmp->handshake(kQmpTimeout);
  if (hs.is_error()) {
    // QEMU may sit blocked in a call outside its allowlist.
    pollfd violation{m_qemu->seccomp_fd(), POLLIN, 0};
    std::string syscall;
    if (violation.fd >= 0 && poll(&violation, 1, 0) == 1 && (violation.revents & POLLIN))
      syscall = read_seccomp_violation(m_qemu->seccomp_fd());
    if (!syscall.empty()) {
      m_qemu->kill_and_reap();
      (void)m_control.send(
          {{"event", control::kSeccomp}, {"process", "qemu"}, {"syscall", syscall}});
      return make_error(ErrorCode::Unavailable, "QEMU killed: seccomp violation: " + syscall);
    }
    // QEMU most likely refused its command line: its stderr says why. (Never
    // block on it: a QEMU that hangs instead of exiting has said nothing.)
    char buf[2048];
    pollfd err{m_qemu->stderr_fd(), POLLIN, 0};
    ssize_t n = poll(&err, 1, 500) == 1 ? read(m_qemu->stderr_fd(), buf, sizeof buf - 1) : 0;
    std::string why = n > 0 ? std::string(buf, static_cast<size_t>(n)) : hs.error().message;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return make_error(ErrorCode::Unavailable, "QEMU failed to start: " + why);
  }
  m_boot_deadline = std::chrono::steady_clock::now() + kBootTimeout;
  if (m_hyp) {
    TRY(place_guests());
    m_state = State::Ready;  // no lowvisor to wait for
  }
  return {};
}

void Highvisor::emit(const json& event) {
  if (m_control.connected()) {
    auto r = m_control.send(event);
    if (r.is_ok()) return;
    on_control_lost(r.error().message);
    if (m_done || m_state == State::Stopping) return;
  }
  // Nobody listens now: keep it for the next kernel. Output may be dropped
  // when there is too much of it; state changes may not.
  std::string type = event.value("event", std::string());
  bool output = type == control::kConsole || type == control::kLog;
  m_backlog.push(event.dump(-1, ' ', false, json::error_handler_t::replace),
                 output ? Droppable::Yes : Droppable::No);
}

void Highvisor::log(const std::string& text) { emit({{"event", control::kLog}, {"text", text}}); }

void Highvisor::fail(const std::string& message) {
  emit({{"event", control::kFailed}, {"message", message}});
  m_exit_status = 1;
  m_done = true;
}

void Highvisor::on_frame(const Frame& f) {
  using channel::FrameType;
  switch (f.type) {
    case FrameType::Ready:
      if (m_state == State::Booting) {
        m_state = State::Ready;
        channel::ReadyPayload ready{1, 0};  // a payload too short is the first protocol
        if (f.payload.size() >= sizeof ready) std::memcpy(&ready, f.payload.data(), sizeof ready);
        m_lowvisor_protocol = ready.protocol_version;
        m_lowvisor_cpus = ready.cpus;
        emit({{"event", control::kReady},
              {"qemu_pid", m_qemu->pid()},
              {"protocol_version", m_lowvisor_protocol},
              {"max_vms", m_lowvisor_protocol >= 2 ? layout::kMaxVms : 1}});
      }
      break;
    case FrameType::VmStarted:
      if (!f.payload.empty()) on_vm_started(f.payload[0]);
      break;
    case FrameType::VirtioNotify: on_virtio_notify(f); break;
    case FrameType::Console:
      if (!f.payload.empty()) {
        emit({{"event", control::kConsole},
              {"vm", f.payload[0]},
              {"data",
               base64_encode(std::string_view(reinterpret_cast<const char*>(f.payload.data()) + 1,
                                              f.payload.size() - 1))}});
      }
      break;
    case FrameType::Log:
      log(std::string("lowvisor: ") + std::string(f.payload.begin(), f.payload.end()));
      break;
    case FrameType::VmExit: {
      if (f.payload.size() < sizeof(channel::VmExitPayload)) break;
      channel::VmExitPayload p;
      std::memcpy(&p, f.payload.data(), sizeof p);
      std::string message(f.payload.begin() + sizeof p, f.payload.end());
      if (p.vm_id >= layout::kMaxVms) {
        log("lowvisor sent VmExit for VM " + std::to_string(p.vm_id) + ", which cannot be");
        break;
      }
      release_vm(p.vm_id);
      emit({{"event", control::kVmExit},
            {"vm", p.vm_id},
            {"reason", reason_name(p.reason)},
            {"code", p.reason == channel::VmExitReason::PowerOff ? p.code : 0},
            {"ec", p.ec},
            {"iss", uint32_t{p.iss}},
            {"pc", uint64_t{p.pc}},
            {"far", uint64_t{p.far}},
            {"message", message},
            {"counters", counters(p.vm_id)}});
      break;
    }
    case FrameType::RunFailed: {
      std::string message(f.payload.begin() + (f.payload.empty() ? 0 : 1), f.payload.end());
      const unsigned vm = f.payload.empty() ? 0 : f.payload[0];
      if (vm >= layout::kMaxVms) {
        log("lowvisor sent RunFailed for VM " + std::to_string(vm) + ", which cannot be");
        break;
      }
      release_vm(vm);
      emit({{"event", control::kVmExit},
            {"vm", vm},
            {"reason", "fault"},
            {"code", 0},
            {"message", "the lowvisor refused to run the guest: " + message},
            {"counters", counters(vm)}});
      break;
    }
    default: log("lowvisor sent an unknown frame type " + std::to_string(static_cast<int>(f.type)));
  }
}

void Highvisor::on_serial() {
  if (m_hyp) return on_hypervisor_serial();
  uint8_t buf[8192];
  ssize_t n = read(m_qemu->serial_fd(), buf, sizeof buf);
  if (n <= 0) return;  // QEMU exit is noticed through SIGCHLD
  std::vector<Frame> frames;
  m_decoder.feed(buf, static_cast<size_t>(n), frames, m_raw_text);
  // Raw lowvisor text (early boot, panic) goes out line by line.
  size_t nl;
  while ((nl = m_raw_text.find('\n')) != std::string::npos) {
    log("lowvisor: " + m_raw_text.substr(0, nl));
    m_raw_text.erase(0, nl + 1);
  }
  if (m_raw_text.size() > kMaxPendingText) {
    log("lowvisor: " + m_raw_text);
    m_raw_text.clear();
  }
  for (const auto& f : frames) on_frame(f);
}

void Highvisor::on_qemu_stderr() {
  char buf[4096];
  ssize_t n = read(m_qemu->stderr_fd(), buf, sizeof buf);
  if (n <= 0) return;
  m_stderr_text.append(buf, static_cast<size_t>(n));
  size_t nl;
  while ((nl = m_stderr_text.find('\n')) != std::string::npos) {
    log("qemu: " + m_stderr_text.substr(0, nl));
    m_stderr_text.erase(0, nl + 1);
  }
  if (m_stderr_text.size() > kMaxPendingText) m_stderr_text.clear();
}

void Highvisor::handle_request(const json& request) {
  json reply = {{"id", request.value("id", json())}};
  std::string method = request.value("method", std::string());
  json params = request.value("params", json::object());
  if (method == control::kRun) {
    reply.update(run_vm(params));
  } else if (method == control::kStop) {
    reply.update(stop_vm(params));
  } else if (method == control::kStats) {
    reply.update(vm_stats(params));
  } else if (method == control::kConsoleInput) {
    reply.update(m_hyp ? hypervisor_console_input(params)
                       : send_console_input(m_qemu->serial_fd(), params));
  } else if (m_hyp && method == control::kTrace) {
    reply.update(hypervisor_trace(params));
  } else if (m_hyp && (method == control::kGuestinfo || method == control::kPause ||
                       method == control::kResume)) {
    reply.update(
        control_error("invalid-argument",
                      method + " needs the lowvisor; this VHV runs the hypervisor " + m_hyp->name));
  } else if (method == control::kTrace || method == control::kGuestinfo) {
    const uint64_t vm = params.value("vm", json(0)).is_number_unsigned()
                            ? params["vm"].get<uint64_t>()
                            : layout::kMaxVms;
    if (vm >= layout::kMaxVms) {
      reply.update(control_error("not-found", "no VM " + params.value("vm", json(0)).dump() +
                                                  ": a VHV has VMs 0 to " +
                                                  std::to_string(layout::kMaxVms - 1)));
    } else if (method == control::kTrace) {
      // One ring per vCPU of the VM; a lowvisor that pins vCPU n to CPU n
      // keeps them per physical CPU.
      const unsigned vcpus = std::max(m_config.smp, m_vms[vm].smp);
      reply.update(read_trace(*m_ram, static_cast<unsigned>(vm), vcpus, params));
    } else {
      reply.update(guestinfo_request(*m_ram, static_cast<unsigned>(vm), params));
    }
  } else if (method == control::kPause) {  // S10
    reply.update(pause_vhv(*m_qmp, m_pause));
  } else if (method == control::kResume) {
    reply.update(resume_vhv(*m_qmp, m_qemu->serial_fd(), m_vms, m_pause));
  } else if (method == control::kShutdown) {
    // Answered once QEMU is gone (see on_signal / run).
    m_shutdown_reply_id = request.value("id", json());
    begin_shutdown();
    return;
  } else {
    reply["error"] = {{"code", "invalid-argument"}, {"message", "unknown method '" + method + "'"}};
  }
  emit(reply);
}

bool Highvisor::on_control() {
  std::vector<ControlMessage> messages;
  auto r = m_control.receive(messages);
  if (r.is_error()) {
    log("control channel: " + r.error().message);
    return false;
  }
  for (const auto& m : messages) handle_request(m.body);
  return r.value();
}

void Highvisor::on_signal() {
  signalfd_siginfo si;
  while (read(m_signal_fd, &si, sizeof si) == sizeof si) {
    if (si.ssi_signo != SIGCHLD) begin_shutdown();
  }
  // As PID 1 of the userworld we reap every child, not only QEMU.
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (m_qemu && pid == m_qemu->pid()) {
      m_qemu->set_exited(status);
      if (m_state == State::Stopping) {
        finish_shutdown();
      } else if (m_hyp && !m_done) {
        on_hypervisor_exited(status);
      } else if (!m_done) {
        std::string why = WIFSIGNALED(status)
                              ? "killed by signal " + std::to_string(WTERMSIG(status))
                              : "exited with status " + std::to_string(WEXITSTATUS(status));
        for (unsigned vm = 0; vm < m_vms.size(); ++vm) {
          if (!m_vms[vm].busy()) continue;
          release_vm(vm);
          emit({{"event", control::kVmExit},
                {"vm", vm},
                {"reason", "vhv-died"},
                {"code", 0},
                {"message", "QEMU " + why + " while the guest was running"},
                {"counters", counters(vm)}});
        }
        fail("QEMU " + why);
      }
    }
  }
}

void Highvisor::begin_shutdown() {
  if (m_state == State::Stopping) return;
  if (!m_qemu || m_qemu->exited()) {
    finish_shutdown();
    return;
  }
  m_state = State::Stopping;
  m_stop_deadline = std::chrono::steady_clock::now() + kStopTimeout;
  // Only send quit here: waiting for its answer could deadlock, since QEMU's
  // vCPU may be blocked writing guest output that only this loop drains.
  m_qmp->send("quit");
}

void Highvisor::finish_shutdown() {
  if (m_qemu) m_qemu->kill_and_reap();
  if (!m_shutdown_reply_id.is_null()) {
    emit({{"id", m_shutdown_reply_id}, {"result", json::object()}});
    m_shutdown_reply_id = nullptr;
  }
  m_done = true;
}

// QEMU called outside its allowlist and sits blocked in that call: kill it
// and say which call it was (userworld/seccomp_policy.h).
void Highvisor::on_qemu_seccomp_violation() {
  std::string syscall = read_seccomp_violation(m_qemu->seccomp_fd());
  if (syscall.empty() || m_done) return;
  m_qemu->kill_and_reap();
  emit({{"event", control::kSeccomp}, {"process", "qemu"}, {"syscall", syscall}});
  fail("QEMU killed: seccomp violation: " + syscall);
}

int Highvisor::run() {
  while (!m_done) {
    if (m_hyp && !m_hyp->ready_sent) {
      m_hyp->ready_sent = true;
      emit({{"event", control::kReady},
            {"qemu_pid", m_qemu->pid()},
            {"protocol_version", 0},
            {"max_vms", 1},
            {"hypervisor", m_hyp->name}});
    }
    // A --hypervisor VHV outlives its QEMU (its counters stay readable):
    // then only the kernel and signals are polled.
    const bool qemu_gone = m_hyp && m_hyp->ended;
    // The fixed fds, then the lab-network port of every VM that has one.
    constexpr size_t kFixed = 7;
    pollfd fixed[kFixed] = {
        // The control connection, or while there is none the socket the
        // next kernel connects to.
        {m_control.connected() ? m_control.fd() : m_config.listen_fd, POLLIN, 0},
        {qemu_gone ? -1 : m_qemu->serial_fd(), POLLIN, 0},
        {qemu_gone ? -1 : m_qemu->qmp_fd(), POLLIN, 0},
        {qemu_gone ? -1 : m_qemu->stderr_fd(), POLLIN, 0},
        {m_signal_fd, POLLIN, 0},
        // Hangs up (always readable) once QEMU is gone: then not polled.
        {m_qemu->exited() ? -1 : m_qemu->seccomp_fd(), POLLIN, 0},
        // QEMU's exception log (byoh/el2_log.h).
        {m_hyp && !qemu_gone ? m_hyp->log.get() : -1, POLLIN, 0},
    };
    pollfd fds[kFixed + layout::kMaxVms];
    std::memcpy(fds, fixed, sizeof fixed);
    for (unsigned vm = 0; vm < layout::kMaxVms; ++vm) {
      const NetDevice* net = m_vms[vm].virtio.net.get();
      fds[kFixed + vm] = {net ? net->port_fd() : -1, POLLIN, 0};
    }
    int timeout_ms = -1;
    if (m_state == State::Stopping) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          m_stop_deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        log("QEMU did not quit within 2 s; killing it");
        finish_shutdown();
        break;
      }
      timeout_ms = static_cast<int>(left.count());
    } else if (m_state == State::Booting) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          m_boot_deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        fail("the lowvisor did not report ready within 20 s");
        break;
      }
      timeout_ms = static_cast<int>(left.count());
    }
    int n = poll(fds, kFixed + layout::kMaxVms, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      fail(std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (fds[5].revents & POLLIN) on_qemu_seccomp_violation();
    if (fds[4].revents) on_signal();
    if (m_done) break;
    if (fds[1].revents & (POLLIN | POLLHUP)) on_serial();
    if (fds[3].revents & POLLIN) on_qemu_stderr();
    if (fds[6].revents & (POLLIN | POLLHUP)) on_el2_log();
    if (fds[2].revents & POLLIN) {
      m_qmp->drain();
      if (m_hyp) on_hypervisor_qmp_events();
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!m_control.connected())
        accept_control();
      else if (!on_control())
        on_control_lost("nestlabd closed the control connection");
    }
    for (unsigned vm = 0; vm < layout::kMaxVms; ++vm)
      if (fds[kFixed + vm].fd >= 0 && (fds[kFixed + vm].revents & (POLLIN | POLLHUP | POLLERR)))
        on_net_port(vm);
  }
  if (m_qemu) m_qemu->kill_and_reap();
  return m_exit_status;
}

}  // namespace nestlab::vhv
