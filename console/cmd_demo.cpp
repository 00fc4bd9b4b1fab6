// `nestlab demo`: a newcomer's first look. Three ephemeral VHVs each run the
// monitor guest (labs/guests/monitor) from a script; their consoles
// interleave line by line, then each one's exit and exit counters are shown.
// With --linux a fourth VHV boots Debian's arm64 kernel with the busybox
// initramfs of share/nestlab/linux beside them.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "base/base64.h"
#include "console/client/json_get.h"
#include "console/client/places.h"
#include "console/commands.h"
#include "console/guest_launch.h"
#include "console/line_prefixer.h"
#include "console/signals.h"
#include "console/vm_exit.h"

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;
using client::json_string;

constexpr int kGuests = 3;
constexpr int kMaxGuests = kGuests + 1;  // and the Linux guest
constexpr const char* kColours[kMaxGuests] = {"\033[36m", "\033[35m", "\033[33m",
                                              "\033[32m"};  // cyan, magenta, yellow, green
const std::vector<OptionSpec> kDemoOptions = {
    {"linux", 0, TakesValue::No, "", "also boot Debian's arm64 kernel and a busybox initramfs"}};

struct DemoGuest {
  std::string vhv;
  int index = 0;  // 1-based, as in its --append text; kMaxGuests: the Linux guest
  LinePrefixer prefixer{""};
  std::optional<VmExit> exit;
};

int demo_failed(const Invocation& inv, client::Client* c, const std::vector<std::string>& vhvs,
                const std::string& why) {
  if (c && c->connected()) destroy_vhvs(*c, vhvs);
  return fail(inv.name, why, 1);
}

std::string summary_text(const DemoGuest& g) {
  const VmExit& e = *g.exit;
  std::string head =
      g.vhv + (g.index == kMaxGuests ? std::string(" (linux): ")
                                     : " (demo-guest " + std::to_string(g.index) + "): ");
  if (e.reason == "poweroff")
    head += "powered off with code " + std::to_string(e.code);
  else
    head += describe_abnormal_exit(e);
  std::string table = format_counters(e), indented;
  for (size_t start = 0; start < table.size();) {
    size_t nl = table.find('\n', start);
    indented += "  " + table.substr(start, nl - start + 1);
    start = nl + 1;
  }
  return head + "\n" + indented;
}

}  // namespace

int cmd_demo(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, kDemoOptions, status);
  if (!args) return status;
  if (args->help()) {
    write_all(
        1,
        "Usage: nestlab demo\n\n"
        "Starts three virtual hypervisors, runs the monitor guest in each (a scripted\n"
        "help/info/ticks session; `nestlab console` reaches the same guest live), shows their\n"
        "consoles interleaved ([vhv-N] prefixes), then each guest's exit and its exits\n"
        "per exception class. Exits 0 when all three powered off with code 0.\n"
        "With --linux a fourth VHV boots Debian's arm64 kernel with a busybox initramfs\n"
        "(share/nestlab/linux, made by the build from scripts/install-deps' packages).\n"
        "With --json, stdout gets {\"vhv\", \"line\"} objects and a final {\"exits\": [...]}.\n\n" +
            format_options_help(kDemoOptions));
    return 0;
  }
  if (!args->operands.empty())
    return usage_error(inv.name, "unexpected argument '" + args->operands[0] + "'");
  bool json_out = wants_json(inv, *args);

  // The monitor guest (labs/guests/monitor), run from a script in its
  // bootargs so the demo needs no keyboard and ends by itself.
  std::string image = client::share_dir() + "/guests/monitor.elf";
  std::vector<int> fds;
  for (int i = 0; i < kGuests; ++i) {
    int fd = ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::string why = std::strerror(errno);
      for (int f : fds) ::close(f);
      return fail(inv.name,
                  "cannot open the monitor guest " + image + ": " + why +
                      "; build nestlab first (see README)",
                  1);
    }
    fds.push_back(fd);
  }

  // The Linux guest: its kernel and initrd, opened here so a missing one is
  // a clear error before any VHV exists.
  const bool with_linux = args->has("linux");
  int linux_fds[2] = {-1, -1};
  if (with_linux) {
    const std::string dir = client::share_dir() + "/linux/";
    const char* names[2] = {"Image", "initrd"};
    for (int i = 0; i < 2; ++i) {
      linux_fds[i] = ::open((dir + names[i]).c_str(), O_RDONLY | O_CLOEXEC);
      if (linux_fds[i] < 0) {
        std::string why = std::strerror(errno);
        for (int f : fds) ::close(f);
        if (i == 1) ::close(linux_fds[0]);
        return fail(inv.name,
                    "cannot open the Linux guest's " + dir + names[i] + ": " + why +
                        "; it is made by the build from Debian's arm64 packages: run "
                        "`sudo scripts/install-deps`, then scripts/build",
                    1);
      }
    }
  }
  auto close_linux = [&] {
    for (int& f : linux_fds)
      if (f >= 0) ::close(f), f = -1;
  };

  auto signals = InterruptSignals::install();
  if (signals.is_error()) return fail(inv.name, signals.error().message, 1);
  auto connected = connect(inv, *args);
  if (connected.is_error()) return fail(inv.name, connected.error().message, 1);
  auto& c = *connected.value();
  c.set_interrupt_fd(signals.value()->fd());

  std::vector<GuestSpec> specs(kGuests);
  for (int i = 0; i < kGuests; ++i) {
    specs[i].append = "script=echo demo-guest " + std::to_string(i + 1) +
                      ": a console object on a serial port;info;ticks;poweroff";
    specs[i].image_fd = fds[i];
    specs[i].image_name = "monitor.elf";
  }
  if (with_linux) {
    GuestSpec l;
    l.mem = 256ull << 20;
    l.append = "console=ttyAMA0 panic=-1 quiet";
    l.image_fd = linux_fds[0];
    l.image_name = "Image";
    l.initrd_fd = linux_fds[1];
    l.initrd_name = "initrd";
    specs.push_back(l);
  }
  const int guest_count = static_cast<int>(specs.size());
  std::vector<std::string> vhvs;
  auto launched = launch_guests(c, specs, vhvs);
  for (int f : fds) ::close(f);
  close_linux();
  auto on_interrupt = [&] {
    signals.value()->consume();
    destroy_vhvs(c, vhvs);
    return kExitInterrupted;
  };
  if (launched.is_error()) {
    if (c.interrupted() == client::Interrupted::Yes) return on_interrupt();
    return demo_failed(inv, &c, vhvs, launched.error().message);
  }

  bool colour = !json_out && ::isatty(1);
  std::map<std::string, DemoGuest> guests;
  for (int i = 0; i < guest_count; ++i) {
    std::string label = json_out ? "" : "[" + vhvs[i] + "] ";
    if (colour) label = std::string(kColours[i]) + label + "\033[0m";
    const int index = i < kGuests ? i + 1 : kMaxGuests;
    guests.emplace(vhvs[i], DemoGuest{vhvs[i], index, LinePrefixer(label), std::nullopt});
  }

  // Text mode prints the prefixed lines; JSON mode (empty labels) wraps each.
  auto emit = [&](const DemoGuest& g, const std::string& lines) {
    if (!json_out) return write_all(1, lines);
    for (size_t s = 0; s < lines.size();) {
      size_t nl = lines.find('\n', s);
      std::string line = lines.substr(s, nl - s);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      write_all(1, json_dump({{"vhv", g.vhv}, {"line", line}}) + "\n");
      s = nl + 1;
    }
  };
  int running = guest_count;
  while (running > 0) {
    auto next = c.next_notification(-1);
    if (next.is_error()) {
      if (c.interrupted() == client::Interrupted::Yes) return on_interrupt();
      return demo_failed(inv, &c, vhvs, next.error().message);
    }
    const auto& n = *next.value();
    auto it = guests.find(json_string(n.params, "vhv"));
    if (it == guests.end() || it->second.exit) continue;
    DemoGuest& g = it->second;
    if (n.method == "console") {
      auto bytes = base64_decode(json_string(n.params, "data"));
      if (bytes.is_ok()) emit(g, g.prefixer.feed(bytes.value()));
      continue;
    }
    std::string type = json_string(n.params, "type");
    if (type == "vm-exit")
      g.exit = parse_vm_exit(n.params);
    else if (type == "vhv-failed" || type == "vhv-stopped")
      g.exit = VmExit{g.vhv, 0, "vhv-died", 0, json_string(n.params, "message"), {}};
    else
      continue;
    emit(g, g.prefixer.flush());
    --running;
  }
  destroy_vhvs(c, vhvs);

  bool all_ok = true;
  json exits = json::array();
  std::string text;
  for (const auto& vhv : vhvs) {
    const DemoGuest& g = guests.at(vhv);
    all_ok = all_ok && g.exit->reason == "poweroff" && g.exit->code == 0;
    exits.push_back({{"vhv", vhv},
                     {"reason", g.exit->reason},
                     {"code", g.exit->code},
                     {"message", g.exit->message},
                     {"counters", counters_json(*g.exit)}});
    text += "\n" + summary_text(g);
  }
  write_all(1, json_out ? json_dump({{"exits", exits}}) + "\n" : text);
  return all_ok ? 0 : 1;
}

}  // namespace nestlab::cli
