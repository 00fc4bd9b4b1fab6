#include "vhv/host/vhv_ram.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

namespace nestlab::vhv {

HostResult<std::unique_ptr<VhvRam>> VhvRam::create(uint64_t guest_mem) {
  constexpr uint64_t kBlock = 2ull << 20;
  if (guest_mem == 0 || guest_mem % kBlock != 0 || guest_mem > layout::kGuestMaxRam) {
    return make_error(ErrorCode::InvalidArgument,
                      "guest memory must be a multiple of 2 MiB between 2 MiB and 8 GiB, got " +
                          std::to_string(guest_mem) + " bytes");
  }
  uint64_t size = layout::kVhvOverhead + 2 * guest_mem;
  int fd = memfd_create("nestlab-vhv-ram", MFD_CLOEXEC);
  if (fd < 0) return errno_error("memfd_create");
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    auto err = errno_error("ftruncate of VHV RAM");
    close(fd);
    return err;
  }
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) {
    auto err = errno_error("mmap of VHV RAM");
    close(fd);
    return err;
  }
  return std::unique_ptr<VhvRam>(new VhvRam(fd, static_cast<uint8_t*>(base), size, guest_mem));
}

VhvRam::~VhvRam() {
  munmap(m_base, m_size);
  close(m_fd);
}

uint8_t* VhvRam::at(uint64_t pa, uint64_t len) const {
  if (pa < layout::kVhvRamBase) return nullptr;
  uint64_t off = pa - layout::kVhvRamBase;
  if (off > m_size || len > m_size - off) return nullptr;
  return m_base + off;
}

void VhvRam::discard(uint64_t pa, uint64_t len) {
  if (at(pa, len) == nullptr) return;
  // Best effort: if the kernel refuses, the pages simply stay resident.
  (void)fallocate(m_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  static_cast<off_t>(pa - layout::kVhvRamBase), static_cast<off_t>(len));
}

}  // namespace nestlab::vhv
