// `nestlab console VHV`: the serial terminal front end (seed S7). The
// local terminal goes raw, keys go to the guest's PL011 through the
// console broker, output comes back; Ctrl-] (or --escape) detaches.
// --log follows read-only; --pty offers the console as a pseudo-terminal
// for screen/minicom; --run starts a guest first, attached from its first
// byte. The terminal is restored on every way out: detach, Ctrl-C in
// --log mode, SIGTERM/SIGHUP, the VHV stopping or being killed, the
// kernel going away.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/base64.h"
#include "console/client/json_get.h"
#include "console/command.h"
#include "console/commands.h"
#include "console/console_pty.h"
#include "console/escape_key.h"
#include "console/terminal_mode.h"
#include "console/vm_option.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_int;
using client::json_object;
using client::json_string;

constexpr int kExitDetached = 0;
constexpr int kExitVhvGone = 1;
constexpr int kConsoleFailed = 1;         // `nestlab console` exits 1 on an error
constexpr int kConsoleInterrupted = 130;  // and 130 on Ctrl-C, like a shell
constexpr size_t kInputChunk = 4096;

const OptionSpec kOptions[] = {
    {"vm", 0, TakesValue::Yes, "N", "guest console of VM N (default 0)"},
    {"stream", 0, TakesValue::Yes, "guest|vhv", "the guest's console or the VHV's own log"},
    {"log", 0, TakesValue::No, "", "follow the output read-only (no input)"},
    {"pty", 0, TakesValue::No, "", "offer the console as a pseudo-terminal; print its path"},
    {"force", 'f', TakesValue::No, "", "take the console over from its current writer"},
    {"escape", 'e', TakesValue::Yes, "KEY", "detach key, ^X notation (default ^])"},
    {"no-replay", 0, TakesValue::No, "", "do not show the recent output first"},
    {"run", 0, TakesValue::Yes, "IMAGE", "run IMAGE in the VHV, attached from its first byte"},
    {"append", 0, TakesValue::Yes, "TEXT", "with --run: the guest's bootargs"},
};

// Blocks SIGWINCH, SIGINT, SIGTERM, SIGHUP and reads them from one fd.
int open_signal_fd() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGWINCH, SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  return ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

class ConsoleSession {
 public:
  ConsoleSession(const Invocation& inv, const ParsedArgs& args) : m_inv(inv), m_args(args) {}
  int run();

 private:
  int loop();
  bool on_notification(const client::Notification& n, int& status);  // false: stop
  void send_input(std::string_view bytes);
  void send_resize();
  void notice(const std::string& text);  // a line of ours on the terminal
  int finish(int status, const std::string& why);

  const Invocation& m_inv;
  const ParsedArgs& m_args;
  std::unique_ptr<client::Client> m_client;
  std::optional<RawTerminal> m_raw;
  std::unique_ptr<ConsolePty> m_pty;
  UniqueFd m_signals;
  std::string m_vhv;
  json m_stream;  // {vhv, vm} or {vhv, stream:"vhv"}
  int m_vm = 0;
  bool m_writer = false;
  char m_escape = kDefaultEscape;
  std::string m_last_error;        // last console.input error shown
  std::vector<int64_t> m_pending;  // ids of unanswered console.input/resize
  int m_out = 1;                   // where guest bytes go: stdout or the pty
};

void ConsoleSession::notice(const std::string& text) {
  if (m_pty) {
    write_all(2, "nestlab console: " + text + "\n");
    return;
  }
  // In raw mode "\n" does not return the carriage.
  write_all(2, "\r\n[nestlab console: " + text + "]\r\n");
}

int ConsoleSession::finish(int status, const std::string& why) {
  if (!why.empty()) notice(why);
  if (m_client && m_client->connected())
    (void)m_client->send_request("console.detach", m_stream);  // best effort
  if (m_raw) m_raw->restore();
  return status;
}

void ConsoleSession::send_input(std::string_view bytes) {
  for (size_t at = 0; at < bytes.size(); at += kInputChunk) {
    json params{{"vhv", m_vhv}, {"vm", m_vm}};
    params["data"] = base64_encode(bytes.substr(at, kInputChunk));
    // Not waited for: errors come back as responses and are shown.
    if (auto id = m_client->send_request("console.input", std::move(params)); id.is_ok())
      m_pending.push_back(id.value());
  }
}

void ConsoleSession::send_resize() {
  WindowSize ws = window_size(0);
  if (ws.rows && ws.cols)
    if (auto id = m_client->send_request(
            "console.resize", {{"vhv", m_vhv}, {"vm", m_vm}, {"rows", ws.rows}, {"cols", ws.cols}});
        id.is_ok())
      m_pending.push_back(id.value());
}

bool ConsoleSession::on_notification(const client::Notification& n, int& status) {
  const json& p = n.params;
  if (n.method == "console") {
    if (json_string(p, "vhv") != m_vhv) return true;
    const bool vhv_stream = json_string(p, "stream") == "vhv";
    if (vhv_stream != (m_vm < 0) || (!vhv_stream && json_int(p, "vm", -2) != m_vm)) return true;
    auto bytes = base64_decode(json_string(p, "data"));
    if (bytes.is_ok()) {
      std::string text = bytes.release_value();
      if (m_vm < 0 && m_raw && m_raw->active()) {
        // The VHV stream is plain text lines: give them carriage returns.
        std::string crlf;
        for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        text = std::move(crlf);
      }
      if (m_pty)
        m_pty->write_out(text);
      else
        write_all(m_out, text);
    }
    return true;
  }
  if (n.method == "console.writer-lost") {
    m_writer = false;
    notice("another client (pid " + std::to_string(json_int(json_object(p, "by"), "pid")) +
           ") took over this console; now read-only, " + describe_escape(m_escape) + " detaches");
    return true;
  }
  if (n.method != "event" || json_string(p, "vhv") != m_vhv) return true;
  std::string type = json_string(p, "type");
  if (type == "vm-exit") {
    std::string reason = json_string(p, "reason");
    std::string text = "vm " + std::to_string(json_int(p, "vm")) + " exited: " + reason;
    if (reason == "poweroff") text += ", code " + std::to_string(json_int(p, "code"));
    std::string message = json_string(p, "message");
    if (reason != "poweroff" && !message.empty()) text += " (" + message + ")";
    notice(text);
    return true;
  }
  if (type == "vhv-stopped" || type == "vhv-failed") {
    std::string message = json_string(p, "message");
    status = kExitVhvGone;
    notice("VHV " + m_vhv + (type == "vhv-stopped" ? " stopped" : " failed") +
           (message.empty() ? "" : ": " + message));
    return false;
  }
  return true;
}

int ConsoleSession::loop() {
  char buf[4096];
  for (;;) {
    // First what is already queued (the replay that came with the attach
    // reply), then wait for more.
    int status = kExitDetached;
    while (auto note = m_client->take_notification())
      if (!on_notification(*note, status)) return finish(status, "");
    // Responses to console.input/resize: only errors matter to a person.
    pollfd fds[3] = {{m_client->fd(), POLLIN, 0},
                     {m_signals.get(), POLLIN, 0},
                     {m_pty ? m_pty->master_fd() : (m_writer ? 0 : -1), POLLIN, 0}};
    if (!m_writer && !m_pty) fds[2].fd = -1;
    int n = ::poll(fds, 3, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return finish(kConsoleFailed, std::string("poll: ") + std::strerror(errno));
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si;
      while (::read(m_signals.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGWINCH) {
          if (m_writer) send_resize();
          continue;
        }
        return finish(si.ssi_signo == SIGINT ? kConsoleInterrupted : 128 + int(si.ssi_signo),
                      std::string("detached (") + strsignal(int(si.ssi_signo)) + ")");
      }
    }
    if (fds[2].fd >= 0 && (fds[2].revents & (POLLIN | POLLHUP))) {
      ssize_t got = m_pty ? m_pty->read_in(buf, sizeof buf) : ::read(0, buf, sizeof buf);
      if (got == 0 && !m_pty) return finish(kExitDetached, "end of input; detached");
      if (got > 0) {
        std::string_view typed(buf, static_cast<size_t>(got));
        SplitInput split = m_pty ? SplitInput{typed, false} : split_at_escape(typed, m_escape);
        if (!split.before.empty() && m_writer) send_input(split.before);
        if (split.escape) return finish(kExitDetached, "detached from " + m_vhv);
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      auto r = m_client->read_available();
      if (r.is_error() || !m_client->connected())
        return finish(kExitVhvGone, std::string(client::kLostConnection));
    }
    for (auto it = m_pending.begin(); it != m_pending.end();) {
      auto resp = m_client->take_response(*it);
      if (!resp) {
        ++it;
        continue;
      }
      // Each key typed at a VHV with no guest would repeat the same error.
      if (!resp->ok && resp->error.message != m_last_error) notice(resp->error.message);
      m_last_error = resp->ok ? "" : resp->error.message;
      it = m_pending.erase(it);
    }
  }
}

int ConsoleSession::run() {
  if (m_args.operands.size() != 1)
    return usage_error(m_inv.name, m_args.operands.empty()
                                       ? "which VHV? (see nestlab vhv list)"
                                       : "unexpected argument '" + m_args.operands[1] + "'");
  m_vhv = m_args.operands[0];
  if (auto e = m_args.value("escape")) {
    auto key = parse_escape(*e);
    if (!key)
      return usage_error(m_inv.name, "--escape takes one key, e.g. ^] or ^A, not '" + *e + "'");
    m_escape = *key;
  }
  std::string stream = m_args.value("stream").value_or("guest");
  if (stream != "guest" && stream != "vhv")
    return usage_error(m_inv.name, "--stream is guest or vhv, not '" + stream + "'");
  if (auto vm = m_args.value("vm")) {
    std::string bad;
    auto v = parse_vm_option(*vm, bad);
    if (!v) return usage_error(m_inv.name, bad);
    m_vm = *v;
  }
  if (stream == "vhv") m_vm = -1;
  const bool read_only = m_args.has("log") || m_vm < 0;
  if (m_args.has("append") && !m_args.has("run"))
    return usage_error(m_inv.name, "--append needs --run");

  UniqueFd image;
  if (auto path = m_args.value("run")) {
    image.reset(::open(path->c_str(), O_RDONLY | O_CLOEXEC));
    if (!image)
      return fail(m_inv.name, "cannot open " + *path + ": " + std::strerror(errno), kConsoleFailed);
  }

  m_signals.reset(open_signal_fd());
  if (!m_signals)
    return fail(m_inv.name, std::string("signalfd: ") + std::strerror(errno), kConsoleFailed);
  auto connected = connect(m_inv, m_args);
  if (connected.is_error()) return fail(m_inv.name, connected.error().message, kConsoleFailed);
  m_client = connected.release_value();

  auto resolved = m_client->call("vhv.inspect", {{"vhv", m_vhv}});
  if (resolved.is_error()) return fail(m_inv.name, resolved.error().message, kConsoleFailed);
  m_vhv = json_string(resolved.value(), "id", m_vhv);
  auto subscribed = m_client->call("events.subscribe", {{"vhv", m_vhv}});
  if (subscribed.is_error()) return fail(m_inv.name, subscribed.error().message, kConsoleFailed);

  m_stream =
      m_vm < 0 ? json{{"vhv", m_vhv}, {"stream", "vhv"}} : json{{"vhv", m_vhv}, {"vm", m_vm}};
  json attach = m_stream;
  attach["mode"] = read_only ? "read" : "write";
  if (m_args.has("force")) attach["force"] = true;
  if (m_args.has("no-replay")) attach["replay"] = false;
  WindowSize ws = window_size(0);
  if (!read_only && ws.rows && ws.cols) {
    attach["rows"] = ws.rows;
    attach["cols"] = ws.cols;
  }
  auto attached = m_client->call("console.attach", attach);
  if (attached.is_error()) return fail(m_inv.name, attached.error().message, kConsoleFailed);
  m_writer = !read_only;

  if (image) {
    std::string name = std::filesystem::path(*m_args.value("run")).filename().string();
    int fd = image.get();
    auto ran = m_client->call("vm.run",
                              {{"vhv", m_vhv},
                               {"image_fd", 0},
                               {"image_name", name},
                               {"append", m_args.value("append").value_or("")}},
                              std::span(&fd, 1));
    if (ran.is_error()) return fail(m_inv.name, ran.error().message, kConsoleFailed);
  }

  if (m_args.has("pty")) {
    auto pty = ConsolePty::open();
    if (pty.is_error()) return fail(m_inv.name, pty.error().message, kConsoleFailed);
    m_pty = pty.release_value();
    write_all(1, m_pty->path() + "\n");
    notice("console of " + m_vhv + " is on " + m_pty->path() + " (e.g. screen " + m_pty->path() +
           "); Ctrl-C here ends it");
  } else {
    {
      auto raw = read_only ? RawTerminal::enter(1, RawInput::No) : RawTerminal::enter(0);
      if (raw.is_error()) return fail(m_inv.name, raw.error().message, kConsoleFailed);
      m_raw.emplace(raw.release_value());
    }
    std::string how = read_only ? "following read-only; Ctrl-C stops"
                                : "escape character is " + describe_escape(m_escape);
    write_all(2, "Connected to " + json_string(resolved.value(), "name", m_vhv) +
                     (m_vm < 0 ? " (VHV log)" : " (vm " + std::to_string(m_vm) + ")") + "; " + how +
                     (m_raw && m_raw->active() ? "\r\n" : "\n"));
  }
  return loop();
}

}  // namespace

int cmd_console(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab console VHV [options]\n\n"
              "Attaches this terminal to the serial console of VHV's guest, like\n"
              "`virsh console`: raw mode, keys go to the guest, Ctrl-] detaches. The\n"
              "recent output (up to 1 MiB) is shown first. One client types at a time:\n"
              "--force takes the console over and tells the previous one. The VHV's own\n"
              "log (lowvisor and QEMU diagnostics) is --stream vhv.\n"
              "Exits 0 when detached, 1 when the VHV stopped or on an error, 130 on Ctrl-C\n"
              "in --log mode.\n\n" +
                  format_options_help(kOptions));
    return 0;
  }
  return ConsoleSession(inv, *args).run();
}

}  // namespace nestlab::cli
