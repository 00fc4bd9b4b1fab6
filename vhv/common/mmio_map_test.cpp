#include "vhv/common/mmio_map.h"

#include <gtest/gtest.h>

namespace nestlab {
namespace {

class Dummy final : public MmioDevice {
 public:
  const char* name() const override { return "dummy"; }
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, unsigned, uint64_t) override {}
};

TEST(MmioMap, FindsByInterval) {
  Dummy a, b;
  MmioMap map;
  ASSERT_TRUE(map.add(0x0900'0000, 0x1000, &a));
  ASSERT_TRUE(map.add(0x0800'0000, 0x10000, &b));
  EXPECT_EQ(map.find(0x0900'0000)->device, &a);
  EXPECT_EQ(map.find(0x0900'0ffc, 4)->device, &a);
  EXPECT_EQ(map.find(0x0900'0ffe, 4), nullptr);  // straddles the end
  EXPECT_EQ(map.find(0x0900'1000), nullptr);
  EXPECT_EQ(map.find(0x0800'8000)->device, &b);
  EXPECT_EQ(map.find(0x07ff'ffff), nullptr);
}

TEST(MmioMap, RefusesOverlapAndOverflow) {
  Dummy a;
  MmioMap map;
  ASSERT_TRUE(map.add(0x1000, 0x1000, &a));
  EXPECT_EQ(map.add(0x1800, 0x1000, &a).error(), MmioMapError::Overlap);
  EXPECT_EQ(map.add(0x0800, 0x1000, &a).error(), MmioMapError::Overlap);
  EXPECT_EQ(map.add(0x5000, 0, &a).error(), MmioMapError::Empty);
  for (uint64_t i = 1; i < MmioMap::kMaxRegions; ++i) ASSERT_TRUE(map.add(0x10000 * i, 0x1000, &a));
  EXPECT_EQ(map.add(0x1000'0000, 0x1000, &a).error(), MmioMapError::Full);
}

}  // namespace
}  // namespace nestlab
