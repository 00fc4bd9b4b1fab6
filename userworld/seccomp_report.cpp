#include "userworld/seccomp_report.h"

#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "userworld/seccomp_policy.h"

namespace nestlab::userworld {
namespace {

constexpr int kMaxNr = 512;
// One ready-made line per syscall number; built before the handler can run.
std::string* g_lines = nullptr;
std::string* g_unknown = nullptr;
int g_fd = -1;

void on_sigsys(int, siginfo_t* info, void*) {
  const std::string* line = g_unknown;
  if (info->si_syscall >= 0 && info->si_syscall < kMaxNr) line = &g_lines[info->si_syscall];
  // A leading newline ends whatever line the trapped code was writing.
  (void)!::write(g_fd, line->data(), line->size());
  ::_exit(128 + SIGSYS);
}

}  // namespace

void install_sigsys_reporter(int control_fd) {
  if (!g_lines) {
    g_lines = new std::string[kMaxNr];
    for (int nr = 0; nr < kMaxNr; ++nr)
      g_lines[nr] = "\n{\"event\":\"seccomp\",\"process\":\"highvisor\",\"syscall\":\"" +
                    syscall_name(nr) + "\"}\n";
    g_unknown =
        new std::string("\n{\"event\":\"seccomp\",\"process\":\"highvisor\",\"syscall\":\"?\"}\n");
  }
  g_fd = control_fd;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGSYS, &sa, nullptr);
}

}  // namespace nestlab::userworld
