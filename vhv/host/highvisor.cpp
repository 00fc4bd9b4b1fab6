#include "vhv/host/highvisor.h"

#include "base/control_protocol.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
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
  m_qemu = TRY(QemuProcess::spawn(qc));
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

StatusPage Highvisor::read_status() const {
  const auto* page = reinterpret_cast<const volatile StatusPage*>(
      m_ram->at(layout::kStatusPa, sizeof(StatusPage)));
  StatusPage copy{};
  // Seqlock reader: retry while the lowvisor is mid-update (odd generation)
  // or updated during the copy.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint64_t g1 = page->generation;
    std::atomic_thread_fence(std::memory_order_acquire);
    std::memcpy(&copy, const_cast<const StatusPage*>(page), sizeof copy);
    std::atomic_thread_fence(std::memory_order_acquire);
    uint64_t g2 = page->generation;
    if (g1 == g2 && (g1 & 1) == 0) break;
  }
  return copy;
}

json Highvisor::counters() const {
  StatusPage s = read_status();
  json c = json::object();
  if (s.magic != StatusPage::kMagic) return c;
  for (unsigned ec = 0; ec < 64; ++ec) {
    if (s.exits_by_ec[ec] == 0) continue;
    c[exception_class_name(static_cast<ExceptionClass>(ec))] = s.exits_by_ec[ec];
  }
  return c;
}

void Highvisor::on_frame(const Frame& f) {
  using channel::FrameType;
  switch (f.type) {
    case FrameType::Ready:
      if (m_state == State::Booting) {
        m_state = State::Ready;
        emit({{"event", control::kReady}, {"qemu_pid", m_qemu->pid()}});
      }
      break;
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
      m_state = State::Ready;
      emit({{"event", control::kVmExit},
            {"vm", p.vm_id},
            {"reason", reason_name(p.reason)},
            {"code", p.reason == channel::VmExitReason::PowerOff ? p.code : 0},
            {"ec", p.ec},
            {"iss", uint32_t{p.iss}},
            {"pc", uint64_t{p.pc}},
            {"far", uint64_t{p.far}},
            {"message", message},
            {"counters", counters()}});
      break;
    }
    case FrameType::RunFailed: {
      std::string message(f.payload.begin() + (f.payload.empty() ? 0 : 1), f.payload.end());
      m_state = State::Ready;
      emit({{"event", control::kVmExit},
            {"vm", f.payload.empty() ? 0 : f.payload[0]},
            {"reason", "fault"},
            {"code", 0},
            {"message", "the lowvisor refused to run the guest: " + message},
            {"counters", counters()}});
      break;
    }
    default: log("lowvisor sent an unknown frame type " + std::to_string(static_cast<int>(f.type)));
  }
}

void Highvisor::on_serial() {
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

json Highvisor::run_vm(const json& params) {
  int fd = m_control.take_fd();
  // The initrd, when the kernel says one came: the second fd of the line.
  const bool has_initrd = params.value("initrd", false);
  int initrd_fd = has_initrd ? m_control.take_fd() : -1;
  auto error = [&](const char* code, const std::string& message) {
    return json{{"code", code}, {"message", message}};
  };
  if (fd < 0 || (has_initrd && initrd_fd < 0)) {
    if (fd >= 0) close(fd);
    return json{{"error", error("invalid-argument",
                                "run needs the image (and the initrd) as file descriptors")}};
  }
  RunRequest req;
  req.image_fd = fd;
  req.initrd_fd = initrd_fd;
  req.initrd_name = params.value("initrd_name", std::string("initrd"));
  req.image_name = params.value("image_name", std::string("image"));
  req.mem = params.value("mem", uint64_t{0});
  req.append = params.value("append", std::string());
  req.smp = params.value("smp", 1u);
  req.mailbox_boot = params.value("smp_boot", std::string("psci")) == "mailbox";  // S18
  if (auto map = params.find("device_map"); map != params.end() && map->is_string())
    req.device_map = map->get<std::string>();  // S9
  req.vm_name = m_config.name;
  req.pl011_ipa = params.value("pl011", uint64_t{0});  // the lab grader's moved UART
  auto policy = parse_tick_policy(params.value("tick_policy", std::string("skip")));  // S10
  json reply;
  if (policy.is_error()) {
    reply = {{"error", error("invalid-argument", policy.error().message)}};
  } else if (m_state == State::Running) {
    reply = {{"error", error("invalid-argument", "a guest is already running in this VHV")}};
  } else if (m_state != State::Ready) {
    reply = {{"error", error("unavailable", "the VHV is not ready")}};
  } else if (auto staged = stage_image(*m_ram, req); staged.is_error()) {
    reply = {{"error", error("invalid-argument", staged.error().message)}};
  } else if (json preset = guestinfo_preset(*m_ram, params.value("guestinfo", json::object()));
             !preset.is_null()) {
    reply = {{"error", preset}};  // keys the guest must find at its first instruction
  } else {
    guestinfo_prepare_run(*m_ram);  // the new VM's UUID and host time base
    uint8_t vm = 0;
    std::string frame = encode_frame(channel::FrameType::RunVm, &vm, 1);
    if (write(m_qemu->serial_fd(), frame.data(), frame.size()) !=
        static_cast<ssize_t>(frame.size())) {
      reply = {{"error",
                error("io", std::string("cannot reach the lowvisor: ") + std::strerror(errno))}};
    } else {
      m_state = State::Running;
      m_run_started = std::chrono::steady_clock::now();
      m_image_name = req.image_name;
      m_pause.policy = policy.value();
      reply = {{"result", {{"vm", vm}, {"entry", staged.value()}}}};
    }
  }
  close(fd);
  if (initrd_fd >= 0) close(initrd_fd);
  return reply;
}

// QEMU's TCG virtual clock, and with it the counter the guest reads, runs
// with host time except while QEMU is stopped; a pause under the default
// tick policy (skip) is then added back by the lowvisor. So the guest's time
// since RunVm is the host time since then, less a pause in progress
// (docs/labs.md, "Guest virtual time").
uint64_t Highvisor::guest_time_ns() const {
  if (m_run_started == std::chrono::steady_clock::time_point{}) return 0;
  auto end = m_pause.paused ? m_pause.since : std::chrono::steady_clock::now();
  if (end < m_run_started) return 0;
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(end - m_run_started).count());
}

void Highvisor::handle_request(const json& request) {
  json reply = {{"id", request.value("id", json())}};
  std::string method = request.value("method", std::string());
  json params = request.value("params", json::object());
  if (method == control::kRun) {
    reply.update(run_vm(params));
  } else if (method == control::kStats) {
    StatusPage s = read_status();
    reply["result"] = {{"counters", counters()},
                       {"total_exits", s.total_exits},
                       {"guest_entries", s.guest_entries}};
    reply["result"]["trap"] = read_trap_stats(*m_ram);
    reply["result"]["uuid"] = guestinfo_uuid(*m_ram);
    reply["result"]["guest_time_ns"] = guest_time_ns();
  } else if (method == control::kConsoleInput) {
    reply.update(send_console_input(m_qemu->serial_fd(), params));
  } else if (method == control::kTrace) {
    reply.update(read_trace(*m_ram, m_config.smp, params));
  } else if (method == control::kGuestinfo) {
    reply.update(guestinfo_request(*m_ram, params));
  } else if (method == control::kPause) {  // S10
    reply.update(pause_vhv(*m_qmp, m_pause));
  } else if (method == control::kResume) {
    reply.update(resume_vhv(*m_qmp, m_qemu->serial_fd(), m_state == State::Running, m_pause));
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
      } else if (!m_done) {
        std::string why = WIFSIGNALED(status)
                              ? "killed by signal " + std::to_string(WTERMSIG(status))
                              : "exited with status " + std::to_string(WEXITSTATUS(status));
        if (m_state == State::Running)
          emit({{"event", control::kVmExit},
                {"vm", 0},
                {"reason", "vhv-died"},
                {"code", 0},
                {"message", "QEMU " + why + " while the guest was running"},
                {"counters", counters()}});
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
    pollfd fds[6] = {
        // The control connection, or while there is none the socket the
        // next kernel connects to.
        {m_control.connected() ? m_control.fd() : m_config.listen_fd, POLLIN, 0},
        {m_qemu->serial_fd(), POLLIN, 0},
        {m_qemu->qmp_fd(), POLLIN, 0},
        {m_qemu->stderr_fd(), POLLIN, 0},
        {m_signal_fd, POLLIN, 0},
        // Hangs up (always readable) once QEMU is gone: then not polled.
        {m_qemu->exited() ? -1 : m_qemu->seccomp_fd(), POLLIN, 0},
    };
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
    int n = poll(fds, 6, timeout_ms);
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
    if (fds[2].revents & POLLIN) m_qmp->drain();
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!m_control.connected())
        accept_control();
      else if (!on_control())
        on_control_lost("nestlabd closed the control connection");
    }
  }
  if (m_qemu) m_qemu->kill_and_reap();
  return m_exit_status;
}

}  // namespace nestlab::vhv
