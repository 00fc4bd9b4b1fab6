#include "vhv/host/virtio/block_device.h"

#include <unistd.h>

#include <cerrno>

#include "vhv/common/virtio.h"

namespace nestlab::vhv {

using namespace virtio;

Result<uint32_t, QueueFault> BlockDevice::serve(const std::vector<Buffer>& chain) {
  const BlkRequest r = TRY(parse_blk_request(chain));
  uint8_t status = kBlkStatusUnsupp;
  switch (r.kind) {
    case BlkKind::Read:
    case BlkKind::Write: status = transfer(r); break;
    case BlkKind::Flush: status = flush(); break;
    case BlkKind::GetId:
      // QEMU with no serial= writes the empty string's NUL (at most the
      // 20 ID bytes, at most what the driver gave).
      if (!r.data.empty()) r.data.front().host[0] = 0;
      status = kBlkStatusOk;
      break;
    case BlkKind::Unsupported: break;
  }
  *r.status = status;
  // QEMU's used length: every device-writable byte of the chain.
  return r.writable_len;
}

uint8_t BlockDevice::transfer(const BlkRequest& r) {
  const bool write = r.kind == BlkKind::Write;
  if (write && m_access == DiskAccess::ReadOnly) return kBlkStatusIoErr;
  // Whole sectors inside the disk (QEMU virtio_blk_sect_range_ok).
  if (r.data_len % kBlkSectorSize != 0 || r.sector > m_sectors ||
      r.data_len / kBlkSectorSize > m_sectors - r.sector)
    return kBlkStatusIoErr;
  auto offset = static_cast<off_t>(r.sector * kBlkSectorSize);
  for (const Buffer& b : r.data) {
    uint32_t done = 0;
    while (done < b.len) {
      ssize_t n = write ? ::pwrite(m_fd.get(), b.host + done, b.len - done, offset)
                        : ::pread(m_fd.get(), b.host + done, b.len - done, offset);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return kBlkStatusIoErr;  // an error, or the file shrank under us
      done += static_cast<uint32_t>(n);
      offset += n;
    }
  }
  return kBlkStatusOk;
}

// 5.2.6.2: a FLUSH completes once every write completed before it is on
// stable storage; pwrite has completed them, fdatasync makes them stable.
uint8_t BlockDevice::flush() {
  for (;;) {
    if (::fdatasync(m_fd.get()) == 0) return kBlkStatusOk;
    if (errno != EINTR) return kBlkStatusIoErr;
  }
}

}  // namespace nestlab::vhv
