// The VHV's RAM: one memfd the highvisor owns and maps, handed to QEMU as the
// machine's memory backend (share=on), so both halves see the same bytes. The
// highvisor writes boot parameters and staged guest images into it and reads
// the lowvisor's status page from it without any message.
#pragma once

#include <cstdint>
#include <memory>

#include "base/error.h"
#include "vhv/common/layout.h"

namespace nestlab::vhv {

class VhvRam {
 public:
  // guest_mem is the guest RAM capacity; the staging area has the same size
  // (an image may not exceed guest RAM).
  static HostResult<std::unique_ptr<VhvRam>> create(uint64_t guest_mem);
  ~VhvRam();
  VhvRam(const VhvRam&) = delete;
  VhvRam& operator=(const VhvRam&) = delete;

  int fd() const { return m_fd; }
  uint64_t size() const { return m_size; }
  uint64_t guest_mem() const { return m_guest_mem; }
  uint64_t staging_pa() const { return layout::kGuestRamPa + m_guest_mem; }

  // Host pointer for a VHV physical address range, or nullptr if the range is
  // not inside VHV RAM.
  uint8_t* at(uint64_t pa, uint64_t len) const;

  // Gives the pages of a range back to the host (the memfd keeps its size).
  void discard(uint64_t pa, uint64_t len);

 private:
  VhvRam(int fd, uint8_t* base, uint64_t size, uint64_t guest_mem)
      : m_fd(fd), m_base(base), m_size(size), m_guest_mem(guest_mem) {}
  int m_fd;
  uint8_t* m_base;  // maps VHV physical address layout::kVhvRamBase
  uint64_t m_size;
  uint64_t m_guest_mem;
};

}  // namespace nestlab::vhv
