// `nestlab run`: one guest in an ephemeral VHV, console on stdout, the
// guest's exit code as ours (docs/protocols.md section 3).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>

#include "base/base64.h"
#include "console/client/json_get.h"
#include "console/command.h"
#include "console/commands.h"
#include "console/guest_launch.h"
#include "console/run_args.h"
#include "console/signals.h"
#include "console/vm_exit.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;
using client::json_string;

constexpr int kJsonFlushMs = 50;

class RunSession {
 public:
  RunSession(const Invocation& inv, const RunOptions& o, bool json, std::vector<int> guest_fds)
      : m_inv(inv), m_options(o), m_json(json), m_guest_fds(std::move(guest_fds)) {}
  ~RunSession() {
    for (int f : m_guest_fds) ::close(f);
  }

  int run(int image_fd, int initrd_fd, std::vector<int> disk_fds, client::json disks);

 private:
  int failed(const std::string& message, int status);
  int watch();  // The event loop once the guest runs.
  int interrupted();
  int finish(const VmExit& exit);
  // Ends a guest's unterminated last line on a terminal, so our messages
  // and the shell prompt start on a line of their own.
  void end_partial_line();

  const Invocation& m_inv;
  const RunOptions& m_options;
  bool m_json;
  std::vector<int> m_guest_fds;  // --hypervisor's guests; owned until sent
  std::unique_ptr<InterruptSignals> m_signals;
  std::unique_ptr<client::Client> m_client;
  std::vector<std::string> m_vhvs;  // The VHV we created (at most one).
  std::deque<std::string> m_log;    // Last diagnostics, shown if the VHV fails.
  char m_last_byte = '\n';          // Last guest byte written to stdout.
  // --json: guest bytes not yet emitted. Guests often print a byte per
  // notification; one JSON object per line (or per pause) is what a script
  // wants to read.
  std::string m_json_pending;
  void emit_json_console(bool all);
};

void RunSession::emit_json_console(bool all) {
  size_t end = m_json_pending.size();
  if (!all) {
    size_t nl = m_json_pending.rfind('\n');
    if (nl == std::string::npos) return;
    end = nl + 1;  // Whole lines only, '\n' included.
  }
  if (end == 0) return;
  std::string text = m_json_pending.substr(0, end);
  m_json_pending.erase(0, end);
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    write_all(1, json_dump({{"console", text.substr(start, nl + 1 - start)}}) + "\n");
  if (start < text.size()) write_all(1, json_dump({{"console", text.substr(start)}}) + "\n");
}

void RunSession::end_partial_line() {
  emit_json_console(true);
  if (!m_json && m_last_byte != '\n' && ::isatty(1)) write_all(1, "\n");
  m_last_byte = '\n';
}

int RunSession::failed(const std::string& message, int status) {
  end_partial_line();
  if (m_client && m_client->connected()) destroy_vhvs(*m_client, m_vhvs);
  if (m_json)
    write_all(1, json_dump({{"error", {{"message", message}, {"status", status}}}}) + "\n");
  fail(m_inv.name, message, status);
  if (!m_log.empty()) write_all(2, "last diagnostics from the virtual hypervisor:\n");
  for (const auto& line : m_log) write_all(2, "  " + line + "\n");
  return status;
}

int RunSession::interrupted() {
  end_partial_line();
  m_signals->consume();  // A second Ctrl-C during cleanup then ends the wait.
  if (m_client && m_client->connected()) destroy_vhvs(*m_client, m_vhvs);
  if (m_json)
    write_all(
        1,
        json_dump({{"error", {{"message", "interrupted"}, {"status", kExitInterrupted}}}}) + "\n");
  return kExitInterrupted;
}

int RunSession::run(int image_fd, int initrd_fd, std::vector<int> disk_fds, client::json disks) {
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int f : fds) ::close(f);
    }
  } close_disks{disk_fds};
  auto signals = InterruptSignals::install();
  if (signals.is_error()) return failed(signals.error().message, kExitFailed);
  m_signals = signals.release_value();

  auto client = connect(m_inv, m_options.args);
  if (client.is_error()) return failed(client.error().message, kExitFailed);
  m_client = client.release_value();
  m_client->set_interrupt_fd(m_signals->fd());

  GuestSpec spec;
  spec.name = m_options.name;
  spec.mem = m_options.mem;
  spec.smp = m_options.smp;
  spec.smp_boot = m_options.smp_boot;
  spec.tick_policy = m_options.tick_policy;
  spec.append = m_options.append;
  if (m_options.device_map_given) spec.device_map = m_options.device_map;
  spec.image_fd = image_fd;
  spec.image_name =
      std::filesystem::path(m_options.hypervisor.empty() ? m_options.image : m_options.hypervisor)
          .filename()
          .string();
  spec.initrd_fd = initrd_fd;
  spec.initrd_name = std::filesystem::path(m_options.initrd).filename().string();
  spec.disks = disks;
  spec.disk_fds = disk_fds;
  if (!m_options.hypervisor.empty()) {
    spec.hypervisor_fd = image_fd;
    spec.hypervisor_name = spec.image_name;
    spec.guest_fds = m_guest_fds;
    for (const auto& g : m_options.guests)
      spec.guest_names.push_back(std::filesystem::path(g).filename().string());
  }
  spec.net = m_options.net;
  auto launched = launch_guests(*m_client, std::span(&spec, 1), m_vhvs);
  ::close(image_fd);  // The kernel has its own reference once vm.run was sent.
  for (int f : m_guest_fds) ::close(f);
  m_guest_fds.clear();
  if (initrd_fd >= 0) ::close(initrd_fd);
  if (launched.is_error()) {
    if (m_client->interrupted() == client::Interrupted::Yes) return interrupted();
    return failed(launched.error().message, kExitFailed);
  }
  return watch();
}

int RunSession::watch() {
  const std::string& vhv = m_vhvs.front();
  for (;;) {
    // A pause in guest output flushes an unterminated JSON console line.
    auto next = m_client->next_notification(m_json_pending.empty() ? -1 : kJsonFlushMs);
    if (next.is_ok() && !next.value()) {
      emit_json_console(true);
      continue;
    }
    if (next.is_error()) {
      if (m_client->interrupted() == client::Interrupted::Yes) return interrupted();
      return failed(next.error().message, kExitFailed);
    }
    const client::Notification& n = *next.value();
    if (json_string(n.params, "vhv") != vhv) continue;
    if (n.method == "console") {
      auto bytes = base64_decode(json_string(n.params, "data"));
      if (bytes.is_error()) continue;  // One garbled chunk is not worth stopping the guest.
      if (m_json) {
        m_json_pending += bytes.value();
        emit_json_console(false);
      } else {
        write_all(1, bytes.value());
      }
      if (!bytes.value().empty()) m_last_byte = bytes.value().back();
      continue;
    }
    if (n.method != "event") continue;
    std::string type = json_string(n.params, "type");
    if (type == "vm-exit") return finish(parse_vm_exit(n.params));
    if (type == "vhv-failed")
      return failed(
          "the virtual hypervisor failed: " + json_string(n.params, "message", "no reason given"),
          kExitFailed);
    if (type == "vhv-stopped")
      return failed("the virtual hypervisor stopped before the guest ended", kExitFailed);
    if (type == "log") {
      // --json scripts see what the lowvisor reported (a watchdog that
      // fired, a reset) in order with the guest's output.
      if (m_json) {
        emit_json_console(true);
        write_all(1, json_dump({{"log", json_string(n.params, "text")}}) + "\n");
      }
      m_log.push_back(json_string(n.params, "text"));
      if (m_log.size() > 10) m_log.pop_front();
    }
  }
}

int RunSession::finish(const VmExit& exit) {
  end_partial_line();
  destroy_vhvs(*m_client, m_vhvs);
  int status = exit_status_for(exit);
  if (m_json) {
    json summary = {{"vhv", exit.vhv},   {"reason", exit.reason},
                    {"code", exit.code}, {"message", exit.message},
                    {"status", status},  {"counters", counters_json(exit)}};
    write_all(1, json_dump({{"exit", summary}}) + "\n");
  }
  if (std::string why = describe_abnormal_exit(exit); !why.empty()) fail(m_inv.name, why, status);
  // --stats always reports on stderr, so stdout stays the guest's (or, with
  // --json, the machine-readable stream).
  if (m_options.stats && m_json)
    write_all(
        2,
        json_dump({{"vhv", exit.vhv}, {"vm", exit.vm}, {"counters", counters_json(exit)}}) + "\n");
  else if (m_options.stats)
    write_all(2, "\nexits of " + exit.vhv + " vm " + std::to_string(exit.vm) + ":\n" +
                     format_counters(exit));
  return status;
}

}  // namespace

int cmd_run(const Invocation& inv) {
  auto parsed = parse_run_args(inv.args);
  if (parsed.is_error()) return usage_error(inv.name, parsed.error().message);
  const RunOptions& o = parsed.value();
  if (o.args.help()) {
    write_all(1, run_help());
    return 0;
  }

  // --hypervisor: HYP.elf takes IMAGE's place; the operands are its guests.
  const std::string& image = o.hypervisor.empty() ? o.image : o.hypervisor;
  int fd = ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(inv.name, "cannot open '" + image + "': " + std::strerror(errno), kExitFailed);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(inv.name, "cannot run '" + image + "': not a regular file", kExitFailed);
  }
  std::vector<int> guest_fds;
  for (const auto& g : o.guests) {
    int gfd = ::open(g.c_str(), O_RDONLY | O_CLOEXEC);
    std::string why = gfd < 0 ? std::strerror(errno) : std::string();
    if (gfd >= 0 && (::fstat(gfd, &st) != 0 || !S_ISREG(st.st_mode))) why = "not a regular file";
    if (!why.empty()) {
      if (gfd >= 0) ::close(gfd);
      ::close(fd);
      for (int f : guest_fds) ::close(f);
      return fail(inv.name, "cannot use '" + g + "' as a guest: " + why, kExitFailed);
    }
    guest_fds.push_back(gfd);
  }
  int initrd_fd = -1;
  if (!o.initrd.empty()) {
    initrd_fd = ::open(o.initrd.c_str(), O_RDONLY | O_CLOEXEC);
    if (initrd_fd < 0 || ::fstat(initrd_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      std::string why = initrd_fd < 0 ? std::strerror(errno) : "not a regular file";
      ::close(fd);
      if (initrd_fd >= 0) ::close(initrd_fd);
      return fail(inv.name, "cannot use '" + o.initrd + "' as the initrd: " + why, kExitFailed);
    }
  }
  std::vector<int> disk_fds;
  auto disks = open_disks(o.disks, 0, disk_fds);
  if (disks.is_error()) {
    ::close(fd);
    if (initrd_fd >= 0) ::close(initrd_fd);
    return fail(inv.name, disks.error().message, kExitFailed);
  }
  RunSession session(inv, o, wants_json(inv, o.args), std::move(guest_fds));
  return session.run(fd, initrd_fd, std::move(disk_fds), disks.release_value());
}

}  // namespace nestlab::cli
