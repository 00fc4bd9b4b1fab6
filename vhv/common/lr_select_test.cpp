#include "vhv/common/lr_select.h"

#include <gtest/gtest.h>

namespace nestlab {
namespace {

TEST(LrSelection, ListRegisterCountFromVtr) {
  EXPECT_EQ(list_registers_from_vtr(0x9000'0003), 4u);  // QEMU's GICv3: 4
  EXPECT_EQ(list_registers_from_vtr(0x9000'000f), 16u);
  EXPECT_EQ(list_registers_from_vtr(0x1f), 16u);  // never more than ICH_LR15
  EXPECT_EQ(list_registers_from_vtr(0), 1u);
}

TEST(LrSelection, ActiveFirstThenPriorityThenIntid) {
  LrSelection s(4);
  s.offer(40, false, 0xa0);
  s.offer(27, false, 0x20);
  s.offer(33, true, 0xf0);
  s.offer(35, false, 0x20);
  ASSERT_EQ(s.count(), 4u);
  EXPECT_EQ(s.intid(0), 33u);  // active, whatever its priority
  EXPECT_EQ(s.intid(1), 27u);  // same priority as 35: lower INTID first
  EXPECT_EQ(s.intid(2), 35u);
  EXPECT_EQ(s.intid(3), 40u);
}

TEST(LrSelection, KeepsTheBestWhenFull) {
  LrSelection s(2);
  s.offer(50, false, 0x80);
  s.offer(51, false, 0x90);
  s.offer(52, false, 0x10);  // better than both: 51 drops out
  s.offer(53, false, 0xff);  // worse than both: ignored
  ASSERT_EQ(s.count(), 2u);
  EXPECT_EQ(s.intid(0), 52u);
  EXPECT_EQ(s.intid(1), 50u);
}

// Sixteen list registers all carry an interrupt: nothing is lost past the
// eighth (the lowvisor used to drive only ICH_LR0..7_EL2).
TEST(LrSelection, SixteenListRegistersAllUsed) {
  LrSelection s(list_registers_from_vtr(15));
  for (uint32_t intid = 32; intid < 32 + 20; ++intid) s.offer(intid, false, 0x80);
  ASSERT_EQ(s.count(), 16u);
  for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(s.intid(i), 32 + i);
}

TEST(LrSelection, CapacityIsClamped) {
  EXPECT_EQ(LrSelection(0).capacity(), 1u);
  EXPECT_EQ(LrSelection(40).capacity(), 16u);
}

}  // namespace
}  // namespace nestlab
