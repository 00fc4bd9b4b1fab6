// nestlab-vhv: the highvisor. Started by nestlabd inside a userworld; see
// docs/protocols.md §2 for its command line and control protocol.
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "vhv/host/control_channel.h"

#include "base/control_protocol.h"
#include "base/sanitizers.h"
#include "vhv/host/highvisor.h"

namespace {

void usage() {
  std::fputs(
      "usage: nestlab-vhv --name NAME [--mem BYTES] [--smp N] [--control-fd FD] [--listen-fd FD]\n"
      "                   [--hypervisor-fd FD --hypervisor-name NAME [--guest-fd FD --guest-name "
      "NAME]...]\n"
      "The highvisor of one VHV; nestlabd starts it. It starts QEMU with the\n"
      "lowvisor and serves it; FD (default 3) is its socket to nestlabd. With\n"
      "--listen-fd, a listening socket, the VHV outlives that connection and\n"
      "accepts the next one (a restarted nestlabd). With --hypervisor-fd, QEMU\n"
      "boots that EL2 image instead of the lowvisor, with the guests placed as\n"
      "docs/hypervisor.md says.\n",
      stderr);
}

std::string share_dir() {
  if (const char* env = std::getenv("NESTLAB_SHARE_DIR")) return env;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return "/usr/share/nestlab";
  std::string path(exe, static_cast<size_t>(n));
  path = path.substr(0, path.rfind('/'));  // bin
  return path.substr(0, path.rfind('/')) + "/share/nestlab";
}

bool parse_u64(const char* s, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return false;
  out = v;
  return true;
}

}  // namespace

#if defined(NESTLAB_UNDER_ASAN)
// The sanitizer build: LeakSanitizer stops the world at exit with prctl and
// ptrace, which the highvisor's seccomp filter rightly kills it for; leaks
// are checked in the unit tests instead.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

int main(int argc, char** argv) {
  nestlab::vhv::HighvisorConfig config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "nestlab-vhv: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    uint64_t v = 0;
    if (a == "--name") {
      config.name = next();
    } else if (a == "--mem" && parse_u64(next(), v)) {
      config.mem = v;
    } else if (a == "--smp" && parse_u64(next(), v) && v >= 1 && v <= 8) {
      config.smp = static_cast<unsigned>(v);
    } else if (a == "--control-fd" && parse_u64(next(), v) && v < 1024) {
      config.control_fd = static_cast<int>(v);
    } else if (a == "--listen-fd" && parse_u64(next(), v) && v < 1024) {
      config.listen_fd = static_cast<int>(v);
    } else if (a == "--hypervisor-fd" && parse_u64(next(), v) && v < 1024) {
      config.hypervisor_fd = static_cast<int>(v);
    } else if (a == "--hypervisor-name") {
      config.hypervisor_name = next();
    } else if (a == "--guest-fd" && parse_u64(next(), v) && v < 1024) {
      config.guests.push_back({static_cast<int>(v), "guest"});
    } else if (a == "--guest-name" && !config.guests.empty()) {
      config.guests.back().name = next();
    } else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else {
      std::fprintf(stderr, "nestlab-vhv: bad argument '%s'\n", a.c_str());
      usage();
      return 2;
    }
  }
  if (config.name.empty()) config.name = "vhv";
  const char* qemu = std::getenv("NESTLAB_QEMU");
  config.qemu_binary = qemu ? qemu : "qemu-system-aarch64";
  config.lowvisor_image = share_dir() + "/lowvisor.elf";

  // In a system-mode userworld QEMU runs as the same uid as this process,
  // and the same uid may ptrace a dumpable process or read its memory
  // through /proc: a QEMU that got past its seccomp filter would then own
  // the highvisor and its control connection to nestlabd. Not dumpable,
  // only root may (QEMU's exec makes it dumpable again, for itself).
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  // QEMU must inherit neither the control connection nor the listening
  // socket: either would outlive this process's hold on the VHV.
  fcntl(config.control_fd, F_SETFD, FD_CLOEXEC);
  if (config.listen_fd >= 0) fcntl(config.listen_fd, F_SETFD, FD_CLOEXEC);
  nestlab::vhv::ControlChannel control(config.control_fd);
  // Neither the images nor QEMU may keep the descriptors past exec.
  if (config.hypervisor_fd >= 0) fcntl(config.hypervisor_fd, F_SETFD, FD_CLOEXEC);
  for (const auto& g : config.guests) fcntl(g.fd, F_SETFD, FD_CLOEXEC);
  if (config.hypervisor_fd < 0 && access(config.lowvisor_image.c_str(), R_OK) != 0) {
    std::string msg =
        "lowvisor image " + config.lowvisor_image + " is missing; build nestlab first";
    (void)control.send({{"event", nestlab::control::kFailed}, {"message", msg}});
    std::fprintf(stderr, "nestlab-vhv: %s\n", msg.c_str());
    return 1;
  }
  auto hv = nestlab::vhv::Highvisor::create(config);
  if (hv.is_error()) {
    (void)control.send({{"event", nestlab::control::kFailed}, {"message", hv.error().message}});
    std::fprintf(stderr, "nestlab-vhv: %s\n", hv.error().message.c_str());
    return 1;
  }
  return hv.value()->run();
}
