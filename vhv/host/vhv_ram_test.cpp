#include "vhv/host/vhv_ram.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

namespace nestlab::vhv {
namespace {

TEST(VhvRam, SizesOverheadGuestAndStaging) {
  auto ram = VhvRam::create(128ull << 20);
  ASSERT_TRUE(ram.is_ok()) << ram.error().message;
  EXPECT_EQ(ram.value()->size(), layout::kVhvOverhead + 2 * (128ull << 20));
  EXPECT_EQ(ram.value()->staging_pa(), layout::kGuestRamPa + (128ull << 20));
}

TEST(VhvRam, TranslatesOnlyRangesInside) {
  auto ram = VhvRam::create(4ull << 20).release_value();
  EXPECT_NE(ram->at(layout::kVhvRamBase, 16), nullptr);
  EXPECT_EQ(ram->at(layout::kVhvRamBase - 1, 1), nullptr);
  EXPECT_EQ(ram->at(layout::kVhvRamBase + ram->size() - 8, 16), nullptr);
  EXPECT_EQ(ram->at(~0ull - 4, 8), nullptr);
}

TEST(VhvRam, WritesAreVisibleThroughTheFd) {
  auto ram = VhvRam::create(2ull << 20).release_value();
  ram->at(layout::kBootParamsPa, 4)[0] = 0x5a;
  // A second mapping of the same fd, as QEMU has, sees the byte.
  void* other = mmap(nullptr, ram->size(), PROT_READ, MAP_SHARED, ram->fd(), 0);
  ASSERT_NE(other, MAP_FAILED);
  EXPECT_EQ(static_cast<uint8_t*>(other)[layout::kBootParamsPa - layout::kVhvRamBase], 0x5a);
  munmap(other, ram->size());
}

TEST(VhvRam, RefusesSizesThatAreNot2MiBMultiples) {
  auto r = VhvRam::create(3ull << 20);
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("multiple of 2 MiB"), std::string::npos);
  EXPECT_TRUE(VhvRam::create(0).is_error());
}

}  // namespace
}  // namespace nestlab::vhv
