#include "kernel/disk_check.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "kernel/disk_registry.h"

namespace nestlab::kernel {
namespace {

class DiskCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nestlab-disk-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  std::string file(const char* name, off_t bytes) {
    const std::string path = m_dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(::ftruncate(fd.get(), bytes), 0);
    return path;
  }
  static UniqueFd open_as(const std::string& path, int flags) {
    return UniqueFd(::open(path.c_str(), flags | O_CLOEXEC));
  }

  std::string m_dir;
};

TEST_F(DiskCheckTest, AWholeSectorFileOpenedAsAskedIsADisk) {
  const std::string path = file("good.img", 2048 * 512);
  auto rw = check_disk(open_as(path, O_RDWR), DiskMode::ReadWrite, "good.img");
  ASSERT_TRUE(rw.is_ok()) << rw.error().message;
  EXPECT_EQ(rw.value().sectors, 2048u);
  auto ro = check_disk(open_as(path, O_RDONLY), DiskMode::ReadOnly, "good.img");
  ASSERT_TRUE(ro.is_ok()) << ro.error().message;
  EXPECT_EQ(ro.value().ino, rw.value().ino);
}

TEST_F(DiskCheckTest, BadFilesAreRefusedWithTheReason) {
  auto odd = check_disk(open_as(file("odd.img", 1000), O_RDWR), DiskMode::ReadWrite, "odd.img");
  ASSERT_FALSE(odd.is_ok());
  EXPECT_NE(odd.error().message.find("odd.img"), std::string::npos);
  EXPECT_NE(odd.error().message.find("512"), std::string::npos) << odd.error().message;

  auto dir = check_disk(open_as(m_dir, O_RDONLY | O_DIRECTORY), DiskMode::ReadOnly, "dir");
  ASSERT_FALSE(dir.is_ok());
  EXPECT_NE(dir.error().message.find("not a regular file or a block device"), std::string::npos);

  const std::string path = file("ro.img", 512);
  auto mode = check_disk(open_as(path, O_RDONLY), DiskMode::ReadWrite, "ro.img");
  ASSERT_FALSE(mode.is_ok());
  EXPECT_NE(mode.error().message.find("add ,ro"), std::string::npos) << mode.error().message;
  auto wronly = check_disk(open_as(path, O_WRONLY), DiskMode::ReadOnly, "ro.img");
  ASSERT_FALSE(wronly.is_ok());
  EXPECT_NE(wronly.error().message.find("writing only"), std::string::npos);
}

// The OFD lock keeps another open file description (another nestlabd, a
// QEMU with file locking) out: exclusive for read-write, shared for ,ro.
TEST_F(DiskCheckTest, TheLockKeepsOtherOpenFilesOut) {
  const std::string path = file("locked.img", 512);
  UniqueFd first = open_as(path, O_RDWR);
  ASSERT_TRUE(lock_disk(first, DiskMode::ReadWrite, "locked.img").is_ok());
  UniqueFd second = open_as(path, O_RDWR);
  auto again = lock_disk(second, DiskMode::ReadWrite, "locked.img");
  ASSERT_FALSE(again.is_ok());
  EXPECT_NE(again.error().message.find("another process"), std::string::npos)
      << again.error().message;
  EXPECT_FALSE(lock_disk(open_as(path, O_RDONLY), DiskMode::ReadOnly, "locked.img").is_ok());
  first.reset();  // the lock goes with its last fd
  UniqueFd r1 = open_as(path, O_RDONLY), r2 = open_as(path, O_RDONLY);
  EXPECT_TRUE(lock_disk(r1, DiskMode::ReadOnly, "locked.img").is_ok());
  EXPECT_TRUE(lock_disk(r2, DiskMode::ReadOnly, "locked.img").is_ok());
  EXPECT_FALSE(lock_disk(second, DiskMode::ReadWrite, "locked.img").is_ok());
}

TEST(DiskRegistry, OneWriterOrManyReadersPerFile) {
  DiskRegistry registry;
  auto a = registry.claim(1, 10, DiskMode::ReadWrite, "a.img", "VM 0 of VHV one");
  ASSERT_TRUE(a.is_ok());
  auto b = registry.claim(1, 10, DiskMode::ReadWrite, "a.img", "VM 1 of VHV two");
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.error().message.find("read-write by VM 0 of VHV one"), std::string::npos)
      << b.error().message;
  EXPECT_FALSE(registry.claim(1, 10, DiskMode::ReadOnly, "a.img", "VM 2").is_ok());
  // Another inode, or the same inode number on another device, is free.
  EXPECT_TRUE(registry.claim(1, 11, DiskMode::ReadWrite, "b.img", "VM 3").is_ok());
  EXPECT_TRUE(registry.claim(2, 10, DiskMode::ReadWrite, "c.img", "VM 4").is_ok());

  a.value().reset();  // the VM ended: its claim is released
  auto r1 = registry.claim(1, 10, DiskMode::ReadOnly, "a.img", "VM 5");
  auto r2 = registry.claim(1, 10, DiskMode::ReadOnly, "a.img", "VM 6");
  ASSERT_TRUE(r1.is_ok());
  ASSERT_TRUE(r2.is_ok());
  auto w = registry.claim(1, 10, DiskMode::ReadWrite, "a.img", "VM 7");
  ASSERT_FALSE(w.is_ok());
  EXPECT_NE(w.error().message.find("read-only"), std::string::npos);
  r1.value().reset();
  EXPECT_FALSE(registry.claim(1, 10, DiskMode::ReadWrite, "a.img", "VM 8").is_ok());
  r2.value().reset();
  EXPECT_TRUE(registry.claim(1, 10, DiskMode::ReadWrite, "a.img", "VM 9").is_ok());
}

}  // namespace
}  // namespace nestlab::kernel
