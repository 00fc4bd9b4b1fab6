#include "kernel/disk_check.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace nestlab::kernel {

namespace {

constexpr uint64_t kSectorBytes = 512;

Err<Error> bad(const std::string& name, const std::string& why) {
  return make_error(ErrorCode::InvalidArgument, "cannot use '" + name + "' as a disk: " + why);
}

}  // namespace

HostResult<CheckedDisk> check_disk(const UniqueFd& fd, DiskMode mode, const std::string& name) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return bad(name, std::strerror(errno));
  uint64_t bytes = 0;
  if (S_ISREG(st.st_mode)) {
    bytes = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    if (::ioctl(fd.get(), BLKGETSIZE64, &bytes) != 0) return bad(name, std::strerror(errno));
  } else {
    return bad(name, "not a regular file or a block device");
  }
  if (bytes % kSectorBytes != 0)
    return bad(name, "its size, " + std::to_string(bytes) +
                         " bytes, is not a multiple of 512 (a disk is whole sectors; pad it, e.g. "
                         "truncate -s %512 FILE)");
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0) return bad(name, std::strerror(errno));
  const int access = flags & O_ACCMODE;
  if (access == O_WRONLY) return bad(name, "it was opened for writing only; a disk must be read");
  if (mode == DiskMode::ReadWrite && access != O_RDWR)
    return bad(name, "it was opened read-only; add ,ro for a read-only disk");
  return CheckedDisk{bytes / kSectorBytes, st.st_dev, st.st_ino};
}

HostResult<void> lock_disk(const UniqueFd& fd, DiskMode mode, const std::string& name) {
  struct flock lock {};
  lock.l_type = mode == DiskMode::ReadOnly ? F_RDLCK : F_WRLCK;
  lock.l_whence = SEEK_SET;  // the whole file
  if (::fcntl(fd.get(), F_OFD_SETLK, &lock) != 0) {
    if (errno == EAGAIN || errno == EACCES)
      return bad(name, std::string("another process holds a ") +
                           (mode == DiskMode::ReadOnly ? "write " : "") +
                           "lock on it (it is in use as a disk elsewhere)");
    return bad(name, std::string("cannot lock it: ") + std::strerror(errno));
  }
  return {};
}

}  // namespace nestlab::kernel
