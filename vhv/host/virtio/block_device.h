// virtio-blk (virtio 1.2 section 5.2), the highvisor's half: the disk is a
// file descriptor the user opened (nestlab passes it down, the kernel
// checked it), read and written with pread/pwrite at the request's
// sector, flushed with fdatasync before a FLUSH completes. What QEMU's
// virtio-blk answers, this answers: sectors past the end and writes to a
// read-only disk are VIRTIO_BLK_S_IOERR, request types it does not offer
// VIRTIO_BLK_S_UNSUPP, GET_ID gives an empty serial.
//
// No per-queue state: the queue's position is its used index in guest RAM.
#pragma once

#include <cstdint>

#include "base/unique_fd.h"
#include "vhv/host/virtio/blk_request.h"
#include "vhv/host/virtio/split_queue.h"

namespace nestlab::vhv {

enum class DiskAccess : uint8_t { ReadWrite, ReadOnly };

class BlockDevice final : public ChainHandler {
 public:
  BlockDevice(UniqueFd fd, uint64_t sectors, DiskAccess access)
      : m_fd(std::move(fd)), m_sectors(sectors), m_access(access) {}

  Result<uint32_t, QueueFault> serve(const std::vector<Buffer>& chain) override;

  uint64_t sectors() const { return m_sectors; }
  DiskAccess access() const { return m_access; }

 private:
  uint8_t transfer(const BlkRequest& r);
  uint8_t flush();

  UniqueFd m_fd;
  uint64_t m_sectors;  // the size the kernel checked; a file that shrank since gives IOERR
  DiskAccess m_access;
};

}  // namespace nestlab::vhv
