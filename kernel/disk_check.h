// A disk file descriptor the user passed with vm.run (`--disk FILE[,ro]`):
// the kernel opens nothing for the user, it checks what the user could
// open. A disk is a regular file or a block device whose size is a
// multiple of 512 bytes, opened for reading, and for writing too unless
// read-only; it gets an OFD lock (shared for ,ro, exclusive otherwise) so
// that another process (another nestlabd, a QEMU with file locking) sees
// it in use. The lock belongs to the open file description, so it goes
// when the highvisor, the last holder, closes the fd.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "kernel/disk_registry.h"

namespace nestlab::kernel {

struct CheckedDisk {
  uint64_t sectors = 0;
  dev_t dev = 0;
  ino_t ino = 0;
};

// A disk on its way to the highvisor: the fd (the highvisor's from then
// on) and the kernel's claim on the file, kept while the VM runs.
struct RunDisk {
  UniqueFd fd;
  std::unique_ptr<DiskClaim> claim;
};

// `name` is the file's name for messages. Type, size and access mode.
HostResult<CheckedDisk> check_disk(const UniqueFd& fd, DiskMode mode, const std::string& name);
// The OFD lock; after the kernel's own claim (disk_registry.h), so that a
// disk in use by another VM of this kernel is named as such.
HostResult<void> lock_disk(const UniqueFd& fd, DiskMode mode, const std::string& name);

}  // namespace nestlab::kernel
