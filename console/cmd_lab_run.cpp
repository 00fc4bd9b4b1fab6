// `nestlab lab run [DIR]`: build DIR and run build/lab.elf as the grader
// would (same VM, bootargs and marker secret), ungraded, with the guest's
// console on this terminal: typing goes to the guest, Ctrl-] ends the run.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "console/client/json_get.h"
#include "console/cmd_lab.h"
#include "console/escape_key.h"
#include "console/lab/hyp_guest.h"
#include "console/lab/make_build.h"
#include "console/lab/step_runner.h"
#include "console/signals.h"
#include "console/terminal_mode.h"
#include "console/vm_exit.h"

namespace nestlab::cli {

namespace {

using client::json_dump;

constexpr int kPollMs = 50;

int run_lab(const Invocation& inv, const ParsedArgs& args, const LabTarget& target, bool json) {
  auto signals = InterruptSignals::install();
  if (signals.is_error()) return lab_error(inv, json, signals.error().message, kExitFailed);
  auto build = lab::run_make(target.dir, signals.value()->fd(), kMakeTimeout);
  if (build.is_error()) return lab_error(inv, json, build.error().message, kExitFailed);
  if (build.value().interrupted) return lab_error(inv, json, "interrupted", kExitInterrupted);
  if (!build.value().ok) {
    write_all(2, build.value().output);
    return lab_error(inv, json, "make -C " + target.dir + " failed", kLabFailed);
  }
  const std::string image = target.dir + "/build/lab.elf";
  int fd = ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lab_error(inv, json, "cannot open " + image + ": " + std::strerror(errno), kLabFailed);

  auto client = connect(inv, args);
  if (client.is_error()) {
    ::close(fd);
    return lab_error(inv, json, client.error().message, kExitFailed);
  }
  client.value()->set_interrupt_fd(signals.value()->fd());
  const lab::RunPlatform platform = lab::choose_platform(target.lab);
  lab::Placeholders values = lab::run_placeholders(platform);
  auto sink = [json](std::string_view bytes) {
    if (json)
      write_all(1, json_dump({{"console", std::string(bytes)}}) + "\n");
    else
      write_all(1, bytes);
  };
  lab::LabVm vm(*client.value(), sink);
  int guest_fd = -1;
  if (target.lab.kind == lab::LabKind::Hypervisor) {
    auto guest = lab::open_hyp_guest(target.lab, values.nonce);
    if (guest.is_error()) {
      ::close(fd);
      return lab_error(inv, json, guest.error().message, kExitFailed);
    }
    guest_fd = guest.value();
  }
  auto booted =
      vm.boot(lab_vm_config(target.lab, platform, values, lab::fresh_hex(32), fd, guest_fd));
  ::close(fd);
  if (guest_fd >= 0) ::close(guest_fd);
  auto stop = [&](const std::string& message, int status) {
    signals.value()->consume();
    vm.destroy();
    return lab_error(inv, json, message, status);
  };
  if (booted.is_error()) {
    if (client.value()->interrupted() == client::Interrupted::Yes)
      return stop("interrupted", kExitInterrupted);
    return stop("cannot start the lab's VM: " + booted.error().message, kExitFailed);
  }
  if (!json)
    write_all(2, "[lab " + target.lab.id + " running in " + vm.vhv() + ", nonce " + values.nonce +
                     (::isatty(0) ? "; Ctrl-] ends it]\n" : "]\n"));

  auto raw = RawTerminal::enter(0);
  if (raw.is_ok() && raw.value().active()) {
    // Typed keys go to the guest as they are, but the lab runtime prints
    // bare "\n": keep the terminal's output processing so lines start at
    // the left margin.
    termios t;
    if (::tcgetattr(0, &t) == 0) {
      t.c_oflag |= OPOST | ONLCR;
      ::tcsetattr(0, TCSANOW, &t);
    }
  }
  auto restore = [&] {
    if (raw.is_ok()) raw.value().restore();
  };
  bool stdin_open = true;
  for (;;) {
    vm.drain();  // what arrived while console.input waited for its reply
    if (vm.ended()) break;
    pollfd fds[3] = {
        {client.value()->fd(), POLLIN, 0}, {signals.value()->fd(), POLLIN, 0}, {0, POLLIN, 0}};
    int rc = ::poll(fds, stdin_open ? 3 : 2, kPollMs);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) {
      restore();
      return stop(std::string("poll: ") + std::strerror(errno), kExitFailed);
    }
    if (fds[1].revents & POLLIN) {
      restore();
      return stop("interrupted", kExitInterrupted);
    }
    if (stdin_open && fds[2].revents) {
      char buf[4096];
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n <= 0) {
        stdin_open = false;  // EOF: the guest keeps running, without input
      } else {
        auto split = split_at_escape(std::string_view(buf, static_cast<size_t>(n)), kDefaultEscape);
        if (!split.before.empty()) (void)vm.send(split.before);
        if (split.escape && raw.is_ok() && raw.value().active()) {
          restore();
          return stop("stopped (Ctrl-])", kExitInterrupted);
        }
      }
    }
    if (!fds[0].revents) continue;
    if (auto p = vm.read_ready(); p.is_error()) {
      restore();
      return stop(p.error().message, kExitFailed);
    }
  }
  restore();
  vm.destroy();
  if (!vm.exit())
    return lab_error(inv, json, vm.failure().value_or("the guest vanished"), kExitFailed);
  const VmExit& exit = *vm.exit();
  int status = exit_status_for(exit);
  if (json)
    write_all(1, json_dump({{"exit",
                             {{"reason", exit.reason},
                              {"code", exit.code},
                              {"message", exit.message},
                              {"status", status},
                              {"counters", counters_json(exit)}}}}) +
                     "\n");
  else
    write_all(2, "[lab " + target.lab.id + ": the guest " + lab::describe_guest_end(vm) + "]\n");
  return status;
}

}  // namespace

int lab_run(const Invocation& inv) {
  int status = 0;
  static constexpr OptionSpec kRunOptions[] = {
      {"lab", 0, TakesValue::Yes, "ID", "run as this lab whatever DIR/.nestlab-lab says"},
  };
  auto args = parse_or_report(inv, kRunOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab lab run [--lab ID] [DIR]\n\n"
              "Runs `make -C DIR`, then DIR/build/lab.elf in a fresh virtual hypervisor as\n"
              "`nestlab lab grade` would, ungraded: the console is on this terminal and what\n"
              "you type goes to the guest (Ctrl-] ends the run). Exits with the guest's code.\n\n" +
                  format_options_help(kRunOptions));
    return 0;
  }
  bool json_out = wants_json(inv, *args);
  if (args->operands.size() > 1)
    return usage_error(inv.name, "unexpected argument '" + args->operands[1] + "'");
  auto target = open_lab_target(args->operands.empty() ? "." : args->operands[0],
                                args->value("lab").value_or(""));
  if (target.is_error()) return lab_error(inv, json_out, target.error().message, kLabBad);
  return run_lab(inv, *args, target.value(), json_out);
}

}  // namespace nestlab::cli
