#include "userworld/seccomp_exec.h"

#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "userworld/seccomp_policy.h"

namespace nestlab::userworld {

HostResult<void> allow_first_exec(int listener_fd, pid_t child, int timeout_ms) {
  pollfd pfd{listener_fd, POLLIN, 0};
  int ready;
  do ready = ::poll(&pfd, 1, timeout_ms);
  while (ready < 0 && errno == EINTR);
  if (ready < 0) return errno_error("poll the seccomp listener");
  if (ready == 0)
    return make_error(ErrorCode::Unavailable,
                      "the child did not exec within " + std::to_string(timeout_ms) + " ms");
  if (!(pfd.revents & POLLIN))
    return make_error(ErrorCode::Unavailable, "the child ended before it could exec");
  seccomp_notif notif;
  std::memset(&notif, 0, sizeof notif);  // the kernel insists (seccomp_unotify(2))
  if (::ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_RECV, &notif) < 0)
    return errno_error("receive the child's exec notification");
  if (notif.data.nr != __NR_execve || static_cast<pid_t>(notif.pid) != child)
    return make_error(ErrorCode::PermissionDenied,
                      "seccomp violation before exec: " + syscall_name(notif.data.nr) + " by pid " +
                          std::to_string(notif.pid));
  seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof resp);
  resp.id = notif.id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  if (::ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
    return errno_error("let the child's exec continue");
  return {};
}

}  // namespace nestlab::userworld
