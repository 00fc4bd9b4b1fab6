#include "userworld/jail_enter.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace nestlab::userworld {
namespace {

bool made(int ret) { return ret == 0 || errno == EEXIST; }

}  // namespace

const char* enter_jail(const JailPlan& plan) {
  if (::mount("tmpfs", plan.root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") < 0)
    return "mount the jail's tmpfs";
  // The private /tmp first: a bind target below /tmp (nestlab built in a
  // checkout under /tmp) must land on it, not be hidden by it afterwards.
  if (!made(::mkdir(plan.tmp_dir, 01777))) return "mkdir /tmp in the jail";
  if (::mount("tmpfs", plan.tmp_dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "size=64m,mode=1777") < 0)
    return "mount /tmp in the jail";
  for (int i = 0; i < plan.dir_count; ++i)
    if (!made(::mkdir(plan.dirs[i], 0755))) return "mkdir in the jail";
  for (int i = 0; i < plan.file_count; ++i) {
    int fd = ::open(plan.files[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
    if (fd < 0) return "create a bind target in the jail";
    ::close(fd);
  }
  for (int i = 0; i < plan.symlink_count; ++i)
    if (!made(::symlink(plan.symlinks[i].link_target, plan.symlinks[i].path)))
      return "symlink in the jail";
  for (int i = 0; i < plan.bind_count; ++i) {
    const JailBind& b = plan.binds[i];
    if (::mount(b.source, b.target, nullptr, MS_BIND | MS_REC, nullptr) < 0)
      return "bind a host path into the jail";
    // A bind mount ignores MS_RDONLY at creation; only a remount makes it
    // read-only (mount(2), "Creating a bind mount").
    if (::mount(nullptr, b.target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | b.flags, nullptr) <
        0)
      return "make a jail bind read-only";
  }
  if (!made(::mkdir(plan.proc_dir, 0555))) return "mkdir /proc in the jail";
  if (::mount("proc", plan.proc_dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "subset=pid") < 0)
    return "mount /proc (subset=pid, Linux 5.8 or later) in the jail";

  // pivot_root(".", ".") stacks the old root on top of the new one; the
  // detach then drops it, and the host's tree with it (pivot_root(2), NOTES).
  if (::chdir(plan.root) < 0) return "chdir into the jail";
  if (::syscall(SYS_pivot_root, ".", ".") < 0) return "pivot_root";
  if (::umount2(".", MNT_DETACH) < 0) return "detach the host's root";
  if (::chdir("/") < 0) return "chdir /";
  if (::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
              nullptr) < 0)
    return "make the jail's root read-only";
  return nullptr;
}

const char* drop_all_capabilities(unsigned uid, unsigned gid) {
  unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                       SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                       SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
  if (::prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) return "lock securebits";
  for (unsigned long cap = 0; cap < 64; ++cap)
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return "drop a capability from the bounding set";
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return "clear ambient capabilities";
  // Still holding CAP_SETUID and CAP_SETGID (NO_SETUID_FIXUP keeps them
  // across the switch; they go with the rest below). Groups first: root's
  // supplementary groups would otherwise stay. Raw system calls: glibc's
  // wrappers would signal every thread of the parent it still believes in
  // (the child was made by clone3, which glibc does not see as a fork).
  if (gid != kKeepId) {
    if (::syscall(SYS_setgroups, 0, nullptr) < 0) return "drop supplementary groups";
    if (::syscall(SYS_setresgid, gid, gid, gid) < 0) return "switch to the VHV's gid";
  }
  if (uid != kKeepId && ::syscall(SYS_setresuid, uid, uid, uid) < 0)
    return "switch to the VHV's uid";
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capset, &header, data) < 0) return "capset to nothing";
  return nullptr;
}

}  // namespace nestlab::userworld
