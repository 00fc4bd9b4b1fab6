// Which disk files the VMs of this kernel have open, by (st_dev, st_ino),
// so that one file is never a read-write disk of two VMs (of any VHVs) at
// once, nor read-write in one and read-only in another: two guests
// writing one file system corrupt it. A claim lasts as long as its
// DiskClaim object (the Vhv keeps it while the VM runs). Other processes
// are kept out by the OFD lock disk_check.h takes on the fd itself.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "base/error.h"

namespace nestlab::kernel {

enum class DiskMode : uint8_t { ReadWrite, ReadOnly };

class DiskRegistry;

class DiskClaim {
 public:
  DiskClaim(DiskRegistry* registry, std::pair<dev_t, ino_t> key, DiskMode mode)
      : m_registry(registry), m_key(key), m_mode(mode) {}
  DiskClaim(const DiskClaim&) = delete;
  DiskClaim& operator=(const DiskClaim&) = delete;
  ~DiskClaim();

 private:
  DiskRegistry* m_registry;  // Not owned: the kernel's, which outlives every VHV.
  std::pair<dev_t, ino_t> m_key;
  DiskMode m_mode;
};

class DiskRegistry {
 public:
  // `user` says who will have it ("VM 0 of VHV lab1"), for the next one's
  // error message; `name` is the file's name as the user gave it.
  HostResult<std::unique_ptr<DiskClaim>> claim(dev_t dev, ino_t ino, DiskMode mode,
                                               const std::string& name, const std::string& user);

 private:
  friend class DiskClaim;
  struct Users {
    unsigned readers = 0, writers = 0;
    std::string last_user;  // the latest claimant, for messages
  };
  void release(std::pair<dev_t, ino_t> key, DiskMode mode);

  std::map<std::pair<dev_t, ino_t>, Users> m_open;  // invariant: readers + writers >= 1
};

}  // namespace nestlab::kernel
