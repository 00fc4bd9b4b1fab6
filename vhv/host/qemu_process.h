// QEMU as the highvisor's child: the VHV machine. Built from the VhvRam fd,
// the lowvisor image and two socketpairs (serial channel and QMP) that the
// highvisor keeps the other ends of.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

namespace nestlab::vhv {

struct QemuConfig {
  std::string qemu_binary;  // qemu-system-aarch64 or $NESTLAB_QEMU
  std::string lowvisor_image;
  uint64_t ram_size = 0;  // bytes, == VhvRam::size()
  int ram_fd = -1;
  unsigned smp = 1;
  std::string name;
  // --hypervisor (docs/hypervisor.md): QEMU boots the student's EL2 image
  // (hypervisor_fd, a memfd) paused (-S) instead of the lowvisor, with
  // ram_size of RAM, and writes its `-d int` log to log_fd (a pipe). The
  // fds are not owned.
  bool hypervisor = false;
  int hypervisor_fd = -1;
  int log_fd = -1;
};

class QemuProcess {
 public:
  static HostResult<std::unique_ptr<QemuProcess>> spawn(const QemuConfig& config);
  ~QemuProcess();
  QemuProcess(const QemuProcess&) = delete;
  QemuProcess& operator=(const QemuProcess&) = delete;

  pid_t pid() const { return m_pid; }
  int serial_fd() const { return m_serial_fd; }  // the lowvisor's PL011, both ways
  int qmp_fd() const { return m_qmp_fd; }
  int stderr_fd() const { return m_stderr_fd; }  // QEMU's own diagnostics
  // Readable when QEMU made a syscall outside its allowlist (qemu_seccomp.h);
  // -1 in log mode.
  int seccomp_fd() const { return m_seccomp_fd; }

  // Marks the process as reaped by the caller's SIGCHLD handling.
  void set_exited(int status) {
    m_exited = true;
    m_status = status;
  }
  bool exited() const { return m_exited; }
  int status() const { return m_status; }
  // Kills QEMU if still running and reaps it (bounded).
  void kill_and_reap();

  static std::vector<std::string> build_argv(const QemuConfig& config, int serial_fd, int qmp_fd,
                                             int ram_fd);
  // The fd numbers QEMU has the hypervisor image and the log pipe at.
  static constexpr int kChildHypervisorFd = 6;
  static constexpr int kChildLogFd = 7;

 private:
  QemuProcess(pid_t pid, int serial_fd, int qmp_fd, int stderr_fd)
      : m_pid(pid), m_serial_fd(serial_fd), m_qmp_fd(qmp_fd), m_stderr_fd(stderr_fd) {}
  pid_t m_pid;
  int m_serial_fd;
  int m_qmp_fd;
  int m_stderr_fd;
  int m_seccomp_fd = -1;
  bool m_exited = false;
  int m_status = 0;
};

}  // namespace nestlab::vhv
