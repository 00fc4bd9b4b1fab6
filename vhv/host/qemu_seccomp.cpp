#include "vhv/host/qemu_seccomp.h"

#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "base/fd_passing.h"
#include "userworld/seccomp_policy.h"

namespace nestlab::vhv {

HostResult<QemuSeccomp> prepare_qemu_seccomp() {
  userworld::SeccompMode mode = userworld::seccomp_mode_from_env();
  QemuSeccomp s;
  s.program = TRY(userworld::qemu_filter_program(mode));
  s.notify = mode == userworld::SeccompMode::Enforce;
  return s;
}

bool load_qemu_seccomp(const QemuSeccomp& seccomp, int socket_fd) {
  // Already set in a userworld; needed to load a filter without
  // CAP_SYS_ADMIN when the highvisor runs outside one.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return false;
  int listener = userworld::load_filter(seccomp.program, seccomp.notify);
  if (listener < 0) return false;
  if (!seccomp.notify) return true;
  const char byte = 'L';
  const int fds[] = {listener};
  const bool sent = send_with_fds(socket_fd, &byte, 1, fds) == 1;
  ::close(listener);
  return sent;
}

int receive_qemu_listener(int socket_fd) {
  char byte;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (::recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC) != 1) return -1;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

std::string read_seccomp_violation(int listener_fd) {
  seccomp_notif notif;
  std::memset(&notif, 0, sizeof notif);  // the kernel insists (seccomp_unotify(2))
  if (::ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, &notif) < 0) return "";
  return userworld::syscall_name(notif.data.nr);
}

}  // namespace nestlab::vhv
