#include "vhv/host/vm_memory.h"

#include <gtest/gtest.h>

namespace nestlab::vhv {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kBase = 0x4400'0000;

// A VHV made with --mem 128M: 256 MiB after kGuestRamPa, 128 MiB of it guest RAM.
VmMemory vhv128() { return VmMemory(kBase, 256 * kMiB, 128 * kMiB); }

TEST(VmMemory, FirstBlockIsAtTheBaseAsASingleVmHadIt) {
  VmMemory m = vhv128();
  auto ram = m.allocate(128 * kMiB, BlockKind::GuestRam);
  ASSERT_TRUE(ram.is_ok()) << ram.error().message;
  EXPECT_EQ(ram.value(), (MemBlock{kBase, 128 * kMiB}));
  auto staging = m.allocate(5000, BlockKind::Staging);
  ASSERT_TRUE(staging.is_ok());
  EXPECT_EQ(staging.value(), (MemBlock{kBase + 128 * kMiB, 2 * kMiB}));
}

TEST(VmMemory, RoundsUpTo2MiBAndKeepsAlignment) {
  VmMemory m = vhv128();
  auto a = m.allocate(1, BlockKind::Staging).release_value();
  auto b = m.allocate(3 * kMiB, BlockKind::GuestRam).release_value();
  EXPECT_EQ(a.size, 2 * kMiB);
  EXPECT_EQ(b.size, 4 * kMiB);
  EXPECT_EQ(b.pa % VmMemory::kAlign, 0u);
  EXPECT_EQ(b.pa, a.pa + a.size);
}

TEST(VmMemory, RefusesMoreGuestRamThanIsLeftAndSaysHowMuchIs) {
  VmMemory m = vhv128();
  ASSERT_TRUE(m.allocate(32 * kMiB, BlockKind::GuestRam).is_ok());
  auto r = m.allocate(128 * kMiB, BlockKind::GuestRam);
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("96 MiB of its 128 MiB left for guests"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("vhv create --mem"), std::string::npos);
  EXPECT_EQ(m.guest_available(), 96 * kMiB);
}

TEST(VmMemory, StagingDoesNotCountAgainstGuestCapacity) {
  VmMemory m = vhv128();
  ASSERT_TRUE(m.allocate(100 * kMiB, BlockKind::Staging).is_ok());
  EXPECT_TRUE(m.allocate(128 * kMiB, BlockKind::GuestRam).is_ok());
  EXPECT_EQ(m.guest_used(), 128 * kMiB);
  EXPECT_EQ(m.free_bytes(), 28 * kMiB);
}

TEST(VmMemory, FreedBlocksAreReusedFirstFit) {
  VmMemory m = vhv128();
  auto a = m.allocate(32 * kMiB, BlockKind::GuestRam).release_value();
  auto b = m.allocate(32 * kMiB, BlockKind::GuestRam).release_value();
  auto c = m.allocate(32 * kMiB, BlockKind::GuestRam).release_value();
  m.free(b);
  EXPECT_EQ(m.guest_used(), 64 * kMiB);
  auto small = m.allocate(16 * kMiB, BlockKind::GuestRam).release_value();
  EXPECT_EQ(small.pa, b.pa);  // the hole b left, not the end
  auto big = m.allocate(32 * kMiB, BlockKind::GuestRam).release_value();
  EXPECT_EQ(big.pa, c.pa + c.size);  // does not fit the 16 MiB left of the hole
  m.free(a);
  m.free(small);
  m.free(c);
  m.free(big);
  EXPECT_EQ(m.guest_used(), 0u);
  EXPECT_EQ(m.free_bytes(), 256 * kMiB);
  EXPECT_EQ(m.largest_free(), 256 * kMiB);
}

TEST(VmMemory, FreeingTwiceOrAStrangerChangesNothing) {
  VmMemory m = vhv128();
  auto a = m.allocate(8 * kMiB, BlockKind::GuestRam).release_value();
  m.free(a);
  m.free(a);
  m.free(MemBlock{kBase + 64 * kMiB, 2 * kMiB});
  EXPECT_EQ(m.guest_used(), 0u);
  EXPECT_EQ(m.free_bytes(), 256 * kMiB);
}

TEST(VmMemory, FragmentationIsNamedWhenCapacityIsLeftButNoBlockFits) {
  VmMemory m(kBase, 64 * kMiB, 64 * kMiB);
  auto a = m.allocate(16 * kMiB, BlockKind::GuestRam).release_value();
  auto s = m.allocate(16 * kMiB, BlockKind::Staging).release_value();
  auto b = m.allocate(16 * kMiB, BlockKind::GuestRam).release_value();
  (void)s;
  m.free(a);
  // 48 MiB of capacity left but free space is 16 + 16 MiB in two pieces.
  auto r = m.allocate(32 * kMiB, BlockKind::GuestRam);
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("pieces of at most 16 MiB"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(m.guest_available(), 16 * kMiB);
  (void)b;
}

TEST(VmMemory, RefusesEmptyAndHugeRequests) {
  VmMemory m = vhv128();
  EXPECT_TRUE(m.allocate(0, BlockKind::GuestRam).is_error());
  EXPECT_TRUE(m.allocate(~0ull, BlockKind::Staging).is_error());
  EXPECT_TRUE(m.allocate(257 * kMiB, BlockKind::Staging).is_error());
  auto staging_full = m.allocate(256 * kMiB, BlockKind::Staging);
  EXPECT_TRUE(staging_full.is_ok());
  auto r = m.allocate(2 * kMiB, BlockKind::Staging);
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("no room to stage"), std::string::npos);
}

TEST(VmMemory, AnUnalignedRangeIsCutToWhole2MiBBlocks) {
  VmMemory m(kBase + 4096, 10 * kMiB, 10 * kMiB);
  auto a = m.allocate(2 * kMiB, BlockKind::GuestRam).release_value();
  EXPECT_EQ(a.pa, kBase + 2 * kMiB);
  EXPECT_LE(m.largest_free() + a.size, 10 * kMiB);
}

}  // namespace
}  // namespace nestlab::vhv
