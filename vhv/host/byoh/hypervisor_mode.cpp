// A VHV that runs the student's own EL2 image instead of the lowvisor
// (`nestlab run --hypervisor HYP.elf [GUEST …]`, docs/hypervisor.md). QEMU
// runs as plain QEMU would run the image; the highvisor only places the
// guests the lab contract describes, streams the PL011 as VM 0's console,
// counts what QEMU's own `-d int` log says the hypervisor took at EL2, and
// turns the end of QEMU into VM 0's exit. Nothing here trusts the image.
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/base64.h"
#include "base/control_protocol.h"
#include "vhv/host/byoh/guest_nodes.h"
#include "vhv/host/highvisor.h"

namespace nestlab::vhv {

using json = nlohmann::json;

namespace {

// Reads a whole image, refusing one larger than `limit`.
HostResult<std::vector<uint8_t>> read_hyp_image(int fd, const std::string& name, uint64_t limit) {
  std::vector<uint8_t> bytes;
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(bytes.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("cannot read " + name);
    if (n == 0) break;
    if (bytes.size() + static_cast<size_t>(n) > limit)
      return make_error(ErrorCode::InvalidArgument,
                        name + " is larger than the VHV's RAM (" + std::to_string(limit >> 20) +
                            " MiB); give the VHV more memory with --mem");
    bytes.insert(bytes.end(), buf, buf + n);
  }
  if (bytes.empty())
    return make_error(ErrorCode::InvalidArgument,
                      name + " is empty; give an AArch64 ELF executable");
  return bytes;
}

std::string hyp_hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// X1 from HMP's `info registers` ("... X00=0000000084000008 X01=0000000000000007 ...").
std::optional<uint64_t> register_x1(const std::string& text) {
  const size_t at = text.find("X01=");
  if (at == std::string::npos) return std::nullopt;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str() + at + 4, &end, 16);
  if (end == text.c_str() + at + 4) return std::nullopt;
  return v;
}

}  // namespace

HostResult<void> Highvisor::prepare_hypervisor() {
  auto run = std::make_unique<HypervisorRun>();
  run->name = m_config.hypervisor_name.empty() ? "hypervisor" : m_config.hypervisor_name;
  // Every image is read and checked before QEMU exists: a bad one fails the
  // VHV with a sentence and nothing has run.
  UniqueFd hyp_fd(m_config.hypervisor_fd);
  std::vector<UniqueFd> guest_fds;
  for (const GuestFd& g : m_config.guests) guest_fds.emplace_back(g.fd);
  ImageBytes hyp{run->name, TRY(read_hyp_image(hyp_fd.get(), run->name, m_config.mem))};
  std::vector<ImageBytes> guests;
  for (size_t i = 0; i < m_config.guests.size(); ++i) {
    const std::string& name = m_config.guests[i].name;
    guests.push_back({name, TRY(read_hyp_image(guest_fds[i].get(), name, m_config.mem))});
  }
  run->plan = TRY(plan_lab(hyp, guests, m_config.mem));

  // QEMU loads the bytes checked here, not whatever the file holds later.
  run->image.reset(memfd_create("hypervisor", MFD_CLOEXEC));
  if (!run->image) return errno_error("memfd_create");
  for (size_t done = 0; done < hyp.bytes.size();) {
    ssize_t n = ::write(run->image.get(), hyp.bytes.data() + done, hyp.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_error("cannot copy the hypervisor image");
    done += static_cast<size_t>(n);
  }
  // QEMU's exception log goes through a pipe, never to a file: the parser
  // sees all of it and a hypervisor that traps forever fills no disk.
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return errno_error("pipe2");
  run->log.reset(p[0]);
  run->log_write.reset(p[1]);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  (void)fcntl(p[1], F_SETPIPE_SZ, 1 << 20);  // fewer wake-ups; the default works too
  m_hyp = std::move(run);
  return {};
}

// After QEMU's reset has put the image and its device tree into RAM (QEMU
// is paused at the first instruction): the guests into their slots and
// their nodes into the tree.
HostResult<void> Highvisor::place_guests() {
  // Answered by QEMU's main loop, so after the machine's reset.
  TRY(m_qmp->execute("query-status", json::object(), kQmpTimeout));
  if (m_hyp->plan.guests.empty()) return {};
  for (PlacedGuest& g : m_hyp->plan.guests) {
    uint8_t* at = m_ram->at(g.pa, g.flat.size());
    if (!at)
      return make_error(ErrorCode::Internal, "guest slot " + hyp_hex(g.pa) + " is not in RAM");
    std::memcpy(at, g.flat.data(), g.flat.size());
  }
  const uint64_t room = m_hyp->plan.hyp.lowest_ipa - kHypRamBase;  // >= 1 MiB (lab contract)
  uint8_t* tree = m_ram->at(kHypRamBase, room);
  if (!tree) return make_error(ErrorCode::Internal, "the device tree is not in RAM");
  auto updated =
      TRY(add_guest_nodes(std::span<const uint8_t>(tree, room), m_hyp->plan.guests, room));
  std::memcpy(tree, updated.data(), updated.size());
  for (PlacedGuest& g : m_hyp->plan.guests) std::vector<uint8_t>().swap(g.flat);
  return {};
}

json Highvisor::run_hypervisor(const json& params) {
  // The image came with vhv.create; the fds of this request are not used.
  // Exactly the fds this line brought (image, initrd, disks), so that none
  // of a request behind it is taken.
  size_t brought = 1 + (params.value("initrd", false) ? 1 : 0);
  if (auto d = params.find("disks"); d != params.end() && d->is_array()) brought += d->size();
  for (size_t i = 0; i < brought; ++i)
    if (int fd = m_control.take_fd(); fd >= 0) ::close(fd);
  if (params.value("initrd", false) || params.contains("disks"))
    return control_error("invalid-argument",
                         "a --hypervisor VHV takes no initrd or disks: its hypervisor runs the "
                         "guests it was created with");
  if (m_hyp->started)
    return control_error("invalid-argument",
                         "this VHV's hypervisor " + m_hyp->name +
                             " has already run; a --hypervisor VHV runs its image once, so "
                             "create another");
  // Not waited for: the hypervisor's first output may fill the serial
  // socket before QEMU answers, and QEMU's vCPU then holds its global lock
  // until this loop reads that output (a PL011 byte is one socket message).
  m_qmp->send("cont");
  m_hyp->started = true;
  m_hyp->started_at = std::chrono::steady_clock::now();
  VmSlot& slot = m_vms[0];
  slot.state = VmSlot::State::Running;
  slot.image_name = m_hyp->name;
  slot.smp = m_config.smp;
  slot.run_started = m_hyp->started_at;
  return json{{"result", {{"vm", 0}, {"entry", m_hyp->plan.hyp.entry}, {"mem", m_config.mem}}}};
}

json Highvisor::stop_hypervisor() {
  if (!m_hyp->started || m_hyp->ended)
    return control_error("invalid-argument", "VM 0 is not running in this VHV");
  if (m_hyp->reason.empty()) m_hyp->reason = "stopped";
  m_qmp->send("quit");  // the exit follows when QEMU is gone
  return json{{"result", {{"vm", 0}, {"stopping", true}}}};
}

uint64_t Highvisor::hypervisor_time_ns() const {
  if (!m_hyp->started) return 0;
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now() - m_hyp->started_at)
                                   .count());
}

json Highvisor::hypervisor_counters() const {
  const El2LogParser& el2 = m_hyp->el2;
  json c = json::object();
  for (uint32_t ec = 0; ec < 64; ++ec)
    if (el2.by_class()[ec]) c[El2LogParser::class_name(ec)] = el2.by_class()[ec];
  if (el2.irqs()) c["IRQ"] = el2.irqs();
  if (el2.fiqs()) c["FIQ"] = el2.fiqs();
  if (el2.serrors()) c["SERROR"] = el2.serrors();
  return c;
}

json Highvisor::hypervisor_stats() const {
  const El2LogParser& el2 = m_hyp->el2;
  const VmSlot& slot = m_vms[0];
  json r{{"vm", 0},
         {"vm_state", vm_slot_state_name(slot.state)},
         {"counters", hypervisor_counters()},
         {"total_exits", el2.total()},
         {"guest_entries", el2.erets_to_lower()},
         {"guest_time_ns", hypervisor_time_ns()}};
  // What else QEMU's log showed, for the curious and for graders.
  r["trap"] = {{"el2_from_el2", el2.from_el2()},
               {"psci_calls", el2.psci_calls()},
               {"log_bytes", el2.bytes()},
               {"log_lines_dropped", el2.lines_dropped()}};
  return json{{"result", r}};
}

json Highvisor::hypervisor_trace(const json& params) const {
  uint64_t limit = 64;
  if (params.contains("limit")) {
    if (!params["limit"].is_number_unsigned() || params["limit"].get<uint64_t>() == 0 ||
        params["limit"].get<uint64_t>() > El2LogParser::kMaxRecent)
      return control_error("invalid-argument", "limit must be 1..1024");
    limit = params["limit"].get<uint64_t>();
  }
  uint64_t since = 0;
  const json cursor = params.value("cursor", json::array());
  if (!cursor.is_array()) return control_error("invalid-argument", "cursor must be an array");
  if (!cursor.empty() && cursor[0].is_number_unsigned()) since = cursor[0].get<uint64_t>();
  const auto& recent = m_hyp->el2.recent();
  const uint64_t head = m_hyp->el2.total();
  if (since > head) since = 0;
  uint64_t first = head - std::min<uint64_t>(head - since, limit);  // seq after which to show
  const uint64_t oldest = recent.empty() ? head : recent.front().seq - 1;
  if (first < oldest) first = oldest;
  json entries = json::array();
  for (const El2Exception& e : recent) {
    if (e.seq <= first) continue;
    entries.push_back({{"vcpu", e.cpu},
                       {"seq", e.seq},
                       {"time_ns", e.time_ns},
                       {"class", El2LogParser::class_name(e.ec)},
                       {"ec", e.ec},
                       {"pc", hyp_hex(e.elr)},
                       {"iss", hyp_hex(e.esr & 0x1ffffff)},
                       {"result", "el2"},
                       {"detail", e.from_el}});
  }
  return json{
      {"result", {{"entries", entries}, {"cursor", json::array({head})}, {"lost", first - since}}}};
}

json Highvisor::hypervisor_console_input(const json& params) {
  if (!params.is_object() || !params.contains("data") || !params["data"].is_string())
    return control_error("invalid-argument", "console-input needs \"data\" (base64)");
  auto bytes = base64_decode(params["data"].get<std::string>());
  if (bytes.is_error())
    return control_error("invalid-argument", "console-input data is not base64");
  if (m_hyp->ended) return control_error("unavailable", "the hypervisor has ended");
  const std::string& data = bytes.value();
  for (size_t done = 0; done < data.size();) {
    ssize_t n = ::write(m_qemu->serial_fd(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return control_error("io", std::string("cannot reach the PL011: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return json{{"result", {{"bytes", data.size()}}}};
}

void Highvisor::on_hypervisor_serial() {
  char buf[8192];
  ssize_t n = ::read(m_qemu->serial_fd(), buf, sizeof buf);
  if (n <= 0) return;
  emit({{"event", control::kConsole},
        {"vm", 0},
        {"data", base64_encode(std::string_view(buf, static_cast<size_t>(n)))}});
}

void Highvisor::on_el2_log() {
  char buf[65536];
  for (int i = 0; i < 16; ++i) {  // then back to the loop, so nothing else starves
    ssize_t n = ::read(m_hyp->log.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    m_hyp->el2.feed(std::string_view(buf, static_cast<size_t>(n)), hypervisor_time_ns());
  }
}

void Highvisor::on_hypervisor_qmp_events() {
  for (const json& e : m_qmp->take_events()) {
    const std::string event = e.value("event", std::string());
    if (event == "STOP" && m_hyp->registers_wanted) {
      // Every vCPU is paused now (QEMU sends STOP after that), so none can
      // block QEMU on console output while it answers.
      m_hyp->registers_wanted = false;
      auto regs = m_qmp->execute("human-monitor-command", {{"command-line", "info registers"}},
                                 kQmpTimeout);
      if (regs.is_ok() && regs.value().is_string())
        m_hyp->exit_code =
            static_cast<int>(register_x1(regs.value().get<std::string>()).value_or(0) & 0xff);
      m_qmp->send("quit");
      continue;
    }
    if (event != "SHUTDOWN" || !m_hyp->reason.empty()) continue;
    const std::string why = e.contains("data") && e["data"].is_object()
                                ? e["data"].value("reason", std::string())
                                : std::string();
    if (why == "guest-shutdown") {
      // PSCI SYSTEM_OFF: the exit code is x1, as for nestlab's test guests
      // (-no-shutdown: QEMU stops the machine instead of exiting, so the
      // register is still there to read once it has stopped).
      m_hyp->reason = "poweroff";
      m_hyp->registers_wanted = true;
      continue;  // quit once x1 is read
    } else if (why == "guest-reset") {
      m_hyp->reason = "reset";
    } else if (why == "guest-panic") {
      m_hyp->reason = "fault";
    } else {
      continue;  // our own quit, or a signal: the exit says the rest
    }
    m_qmp->send("quit");
  }
}

void Highvisor::on_hypervisor_exited(int status) {
  m_hyp->ended = true;
  // The last output and log records are still in the socket and pipe.
  for (int i = 0; i < 1024; ++i) {
    pollfd p{m_qemu->serial_fd(), POLLIN, 0};
    if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)) break;
    char buf[8192];
    ssize_t n = ::read(m_qemu->serial_fd(), buf, sizeof buf);
    if (n <= 0) break;
    emit({{"event", control::kConsole},
          {"vm", 0},
          {"data", base64_encode(std::string_view(buf, static_cast<size_t>(n)))}});
  }
  for (int i = 0; i < 1024; ++i) {
    char buf[65536];
    ssize_t n = ::read(m_hyp->log.get(), buf, sizeof buf);
    if (n <= 0) break;
    m_hyp->el2.feed(std::string_view(buf, static_cast<size_t>(n)), hypervisor_time_ns());
  }
  std::string reason = m_hyp->reason;
  std::string message;
  if (reason.empty()) {
    reason = "vhv-died";
    message = WIFSIGNALED(status)
                  ? "QEMU was killed by signal " + std::to_string(WTERMSIG(status))
                  : "QEMU exited with status " + std::to_string(WEXITSTATUS(status));
    message += " before the hypervisor powered off";
  } else if (reason == "reset") {
    message = "the hypervisor asked for a reset (PSCI SYSTEM_RESET), which ends it";
  } else if (reason == "fault") {
    message = "the hypervisor reported a panic (guest-panic)";
  }
  if (m_hyp->started) {
    m_vms[0].state = VmSlot::State::Free;
    emit({{"event", control::kVmExit},
          {"vm", 0},
          {"reason", reason},
          {"code", reason == "poweroff" ? m_hyp->exit_code : 0},
          {"message", message},
          {"counters", hypervisor_counters()}});
  } else {
    fail("QEMU ended before the hypervisor ran: " + message);
  }
}

}  // namespace nestlab::vhv
