#include "vhv/host/qemu_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "userworld/seccomp_exec.h"
#include "vhv/host/qemu_seccomp.h"

namespace nestlab::vhv {

namespace {
// Fixed fd numbers inside QEMU, so its command line does not depend on what
// the highvisor happened to have open.
constexpr int kChildSerialFd = 3;
constexpr int kChildQmpFd = 4;
constexpr int kChildRamFd = 5;
constexpr int kExecTimeoutMs = 10000;

// The binary execv will run: QEMU's seccomp policy lets exactly one execve
// through (userworld/seccomp_exec.h), so the PATH search happens here, not
// in execvp's several attempts.
std::string resolve_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return name;
}
}  // namespace

std::vector<std::string> QemuProcess::build_argv(const QemuConfig& c, int serial_fd, int qmp_fd,
                                                 int ram_fd) {
  const std::string mib = std::to_string(c.ram_size >> 20) + "M";
  std::vector<std::string> argv = {
      c.qemu_binary,
      "-name",
      c.name,
      "-machine",
      "virt,virtualization=on,gic-version=3,memory-backend=vhvram",
      "-cpu",
      "cortex-a72",
      "-smp",
      std::to_string(c.smp),
      "-m",
      mib,
      "-object",
      "memory-backend-file,id=vhvram,size=" + mib + ",mem-path=/proc/self/fd/" +
          std::to_string(ram_fd) + ",share=on",
      "-kernel",
  };
  if (c.hypervisor) {
    // The machine of plain `qemu-system-aarch64 -M virt,virtualization=on,
    // gic-version=3 -cpu cortex-a72 -m M -kernel HYP.elf`, started paused so
    // the highvisor can describe the guests in its device tree first; a
    // SYSTEM_OFF or reset stops it (-no-shutdown, -no-reboot) so the
    // highvisor can read the exit code before it quits. QEMU's record of
    // the exceptions taken (-d int) goes to the highvisor's pipe.
    argv.insert(argv.end(), {"/proc/self/fd/" + std::to_string(kChildHypervisorFd), "-d", "int",
                             "-D", "/proc/self/fd/" + std::to_string(kChildLogFd), "-S",
                             "-no-shutdown", "-no-reboot"});
  } else {
    argv.push_back(c.lowvisor_image);
  }
  argv.insert(argv.end(),
              {
                  "-nodefaults",
                  "-no-user-config",
                  "-display",
                  "none",
                  "-chardev",
                  "socket,id=channel,fd=" + std::to_string(serial_fd),
                  "-serial",
                  "chardev:channel",
                  "-chardev",
                  "socket,id=qmp,fd=" + std::to_string(qmp_fd),
                  "-mon",
                  "chardev=qmp,mode=control",
                  // QEMU's own filter on top of ours (userworld/seccomp_policy.h).
                  "-sandbox",
                  "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
              });
  return argv;
}

HostResult<std::unique_ptr<QemuProcess>> QemuProcess::spawn(const QemuConfig& config) {
  int serial[2];
  int qmp[2];
  int err[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, serial) != 0)
    return errno_error("socketpair");
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp) != 0)
    return errno_error("socketpair");
  if (pipe2(err, O_CLOEXEC) != 0) return errno_error("pipe2");
  QemuSeccomp seccomp = TRY(prepare_qemu_seccomp());
  int listener[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, listener) != 0)
    return errno_error("socketpair");

  auto argv_strings = build_argv(config, kChildSerialFd, kChildQmpFd, kChildRamFd);
  std::string binary = resolve_in_path(argv_strings[0]);
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return errno_error("fork of QEMU");
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(err[1], 2);
    // Move the three fds to fixed numbers without clobbering each other.
    int s = fcntl(serial[1], F_DUPFD_CLOEXEC, 10);
    int q = fcntl(qmp[1], F_DUPFD_CLOEXEC, 10);
    int r = fcntl(config.ram_fd, F_DUPFD_CLOEXEC, 10);
    int h = config.hypervisor_fd >= 0 ? fcntl(config.hypervisor_fd, F_DUPFD_CLOEXEC, 10) : -1;
    int l = config.log_fd >= 0 ? fcntl(config.log_fd, F_DUPFD_CLOEXEC, 10) : -1;
    dup2(s, kChildSerialFd);
    dup2(q, kChildQmpFd);
    dup2(r, kChildRamFd);
    if (h >= 0) dup2(h, kChildHypervisorFd);
    if (l >= 0) dup2(l, kChildLogFd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // QEMU must not outlive a highvisor that dies (in a userworld the PID
    // namespace ends it anyway; this covers a highvisor run by hand).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Last, so the allowlist need not cover the set-up above.
    if (!load_qemu_seccomp(seccomp, listener[1])) {
      const char msg[] = "nestlab-vhv: cannot load QEMU's seccomp filter\n";
      (void)!write(2, msg, sizeof msg - 1);
      _exit(126);
    }
    execv(binary.c_str(), argv.data());
    const char msg[] =
        "nestlab-vhv: cannot execute QEMU (qemu-system-aarch64); install qemu-system-arm\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(127);
  }
  close(serial[1]);
  close(qmp[1]);
  close(err[1]);
  close(listener[1]);
  auto process = std::unique_ptr<QemuProcess>(new QemuProcess(pid, serial[0], qmp[0], err[0]));
  if (seccomp.notify) process->m_seccomp_fd = receive_qemu_listener(listener[0]);
  close(listener[0]);
  if (process->m_seccomp_fd >= 0) {
    auto exec = userworld::allow_first_exec(process->m_seccomp_fd, pid, kExecTimeoutMs);
    if (exec.is_error()) {
      Error e = exec.release_error();
      return nestlab::make_error(e.code,
                                 "cannot start QEMU: " + e.message);  // ~QemuProcess kills it
    }
  }
  return process;
}

void QemuProcess::kill_and_reap() {
  if (m_exited) return;
  kill(m_pid, SIGKILL);
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    pid_t r = waitpid(m_pid, &status, WNOHANG);
    if (r == m_pid || (r < 0 && errno == ECHILD)) {
      set_exited(status);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

QemuProcess::~QemuProcess() {
  kill_and_reap();
  close(m_serial_fd);
  close(m_qmp_fd);
  close(m_stderr_fd);
  if (m_seccomp_fd >= 0) close(m_seccomp_fd);
}

}  // namespace nestlab::vhv
