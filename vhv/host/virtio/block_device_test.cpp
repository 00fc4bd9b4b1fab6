#include "vhv/host/virtio/block_device.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "vhv/common/virtio.h"

namespace nestlab::vhv {
namespace {

using namespace virtio;

// A 4-sector disk in a temporary file, sector n filled with byte n + 1.
struct Disk {
  std::string path;
  Disk() {
    char name[] = "/tmp/nestlab-blk-XXXXXX";
    int fd = ::mkstemp(name);
    path = name;
    for (int s = 0; s < 4; ++s) {
      std::vector<uint8_t> sector(512, static_cast<uint8_t>(s + 1));
      EXPECT_EQ(::write(fd, sector.data(), 512), 512);
    }
    ::close(fd);
  }
  ~Disk() { ::unlink(path.c_str()); }
  BlockDevice open(DiskAccess access) {
    return BlockDevice(UniqueFd(::open(path.c_str(), O_RDWR)), 4, access);
  }
  uint8_t byte_at(off_t off) {
    int fd = ::open(path.c_str(), O_RDONLY);
    uint8_t b = 0;
    EXPECT_EQ(::pread(fd, &b, 1, off), 1);
    ::close(fd);
    return b;
  }
};

struct Request {
  uint8_t header[16] = {};
  std::vector<uint8_t> data;
  uint8_t status = 0xff;
  Request(uint32_t type, uint64_t sector, size_t len) : data(len) {
    std::memcpy(header, &type, 4);
    std::memcpy(header + 8, &sector, 8);
  }
  std::vector<Buffer> chain(bool data_writable) {
    std::vector<Buffer> c{{header, 16, false}};
    if (!data.empty())
      c.push_back({data.data(), static_cast<uint32_t>(data.size()), data_writable});
    c.push_back({&status, 1, true});
    return c;
  }
};

TEST(BlockDevice, ReadsWritesAndFlushes) {
  Disk disk;
  BlockDevice dev = disk.open(DiskAccess::ReadWrite);
  Request in(kBlkTypeIn, 2, 1024);
  auto r = dev.serve(in.chain(true));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value(), 1025u);  // every writable byte, as QEMU
  EXPECT_EQ(in.status, kBlkStatusOk);
  EXPECT_EQ(in.data[0], 3);
  EXPECT_EQ(in.data[1023], 4);

  Request out(kBlkTypeOut, 1, 512);
  std::memset(out.data.data(), 0x77, 512);
  ASSERT_TRUE(dev.serve(out.chain(false)).is_ok());
  EXPECT_EQ(out.status, kBlkStatusOk);
  Request flush(kBlkTypeFlush, 0, 0);
  ASSERT_TRUE(dev.serve(flush.chain(true)).is_ok());
  EXPECT_EQ(flush.status, kBlkStatusOk);
  EXPECT_EQ(disk.byte_at(512), 0x77);
  EXPECT_EQ(disk.byte_at(1023), 0x77);
  EXPECT_EQ(disk.byte_at(1024), 3);
}

TEST(BlockDevice, OutOfRangeAndReadOnlyAreIoErrorsUnknownTypesUnsupported) {
  Disk disk;
  BlockDevice dev = disk.open(DiskAccess::ReadWrite);
  Request past(kBlkTypeIn, 4, 512);
  ASSERT_TRUE(dev.serve(past.chain(true)).is_ok());
  EXPECT_EQ(past.status, kBlkStatusIoErr);
  Request across(kBlkTypeIn, 3, 1024);
  ASSERT_TRUE(dev.serve(across.chain(true)).is_ok());
  EXPECT_EQ(across.status, kBlkStatusIoErr);
  Request huge(kBlkTypeIn, ~0ull, 512);  // sector * 512 would wrap
  ASSERT_TRUE(dev.serve(huge.chain(true)).is_ok());
  EXPECT_EQ(huge.status, kBlkStatusIoErr);
  Request partial(kBlkTypeIn, 0, 100);
  ASSERT_TRUE(dev.serve(partial.chain(true)).is_ok());
  EXPECT_EQ(partial.status, kBlkStatusIoErr);
  Request bogus(0x10, 0, 0);
  ASSERT_TRUE(dev.serve(bogus.chain(true)).is_ok());
  EXPECT_EQ(bogus.status, kBlkStatusUnsupp);

  BlockDevice ro = disk.open(DiskAccess::ReadOnly);
  Request out(kBlkTypeOut, 0, 512);
  ASSERT_TRUE(ro.serve(out.chain(false)).is_ok());
  EXPECT_EQ(out.status, kBlkStatusIoErr);
  EXPECT_EQ(disk.byte_at(0), 1);
}

TEST(BlockDevice, GetIdGivesQemusEmptySerial) {
  Disk disk;
  BlockDevice dev = disk.open(DiskAccess::ReadWrite);
  Request id(kBlkTypeGetId, 0, kBlkIdBytes);
  std::memset(id.data.data(), 0xee, id.data.size());
  ASSERT_TRUE(dev.serve(id.chain(true)).is_ok());
  EXPECT_EQ(id.status, kBlkStatusOk);
  EXPECT_EQ(id.data[0], 0);
  EXPECT_EQ(id.data[1], 0xee);
}

TEST(BlkRequest, AnyFramingOfHeaderAndStatusIsAccepted) {
  // Header split 5 + 11 bytes, data and status in one writable buffer.
  uint8_t header[16] = {};
  const uint64_t sector = 3;
  std::memcpy(header + 8, &sector, 8);
  uint8_t tail[513] = {};
  std::vector<Buffer> chain{{header, 5, false}, {header + 5, 11, false}, {tail, 513, true}};
  auto r = parse_blk_request(chain);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value().kind, BlkKind::Read);
  EXPECT_EQ(r.value().sector, 3u);
  EXPECT_EQ(r.value().data_len, 512u);
  EXPECT_EQ(r.value().status, tail + 512);
}

TEST(BlkRequest, AChainWithoutHeaderOrStatusIsRefused) {
  uint8_t bytes[16] = {};
  std::vector<Buffer> short_header{{bytes, 15, false}, {bytes, 1, true}};
  EXPECT_TRUE(parse_blk_request(short_header).is_error());
  std::vector<Buffer> no_status{{bytes, 16, false}};
  EXPECT_TRUE(parse_blk_request(no_status).is_error());
}

}  // namespace
}  // namespace nestlab::vhv
