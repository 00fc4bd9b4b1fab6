#include "vhv/common/watchpoint.h"

#include <gtest/gtest.h>

namespace nestlab {
namespace {

// kvm-unit-tests arm/debug.c: LEN8 | RD | WR | EL1 | E.
constexpr uint64_t kEl1ReadWrite8 = (0xffull << 5) | (3ull << 3) | (1ull << 1) | 1;

WatchedAccess store(uint64_t va, unsigned size, bool el0 = false) { return {va, size, true, el0}; }
WatchedAccess load(uint64_t va, unsigned size, bool el0 = false) { return {va, size, false, el0}; }

TEST(Watchpoint, DisabledNeverMatches) {
  EXPECT_FALSE(
      watchpoint_matches(kEl1ReadWrite8 & ~kWcrEnable, 0x4000'1000, store(0x4000'1000, 8)));
}

TEST(Watchpoint, OverlapOfTheAccessWithTheWatchedBytes) {
  const uint64_t wvr = 0x4000'1008;
  EXPECT_TRUE(watchpoint_matches(kEl1ReadWrite8, wvr, store(0x4000'1008, 1)));
  EXPECT_TRUE(watchpoint_matches(kEl1ReadWrite8, wvr, store(0x4000'100f, 1)));
  EXPECT_TRUE(watchpoint_matches(kEl1ReadWrite8, wvr, load(0x4000'1004, 8)));  // straddles in
  EXPECT_FALSE(watchpoint_matches(kEl1ReadWrite8, wvr, store(0x4000'1010, 4)));
  EXPECT_FALSE(watchpoint_matches(kEl1ReadWrite8, wvr, store(0x4000'1000, 8)));  // ends before
}

TEST(Watchpoint, ByteAddressSelectPicksTheBytes) {
  // BAS = 0b0000'1100: bytes 2 and 3 of the doubleword.
  const uint64_t wcr = (0x0cull << 5) | (3ull << 3) | (1ull << 1) | 1;
  EXPECT_FALSE(watchpoint_matches(wcr, 0x2000, store(0x2000, 2)));
  EXPECT_TRUE(watchpoint_matches(wcr, 0x2000, store(0x2002, 1)));
  EXPECT_TRUE(watchpoint_matches(wcr, 0x2000, store(0x2003, 1)));
  EXPECT_FALSE(watchpoint_matches(wcr, 0x2000, store(0x2004, 4)));
  // A word-aligned WVR uses BAS[3:0] from that word.
  const uint64_t word = (0xffull << 5) | (3ull << 3) | (1ull << 1) | 1;
  EXPECT_TRUE(watchpoint_matches(word, 0x2004, store(0x2007, 1)));
  EXPECT_FALSE(watchpoint_matches(word, 0x2004, store(0x2008, 1)));
}

TEST(Watchpoint, LoadStoreControl) {
  const uint64_t loads = (0xffull << 5) | (1ull << 3) | (1ull << 1) | 1;
  const uint64_t stores = (0xffull << 5) | (2ull << 3) | (1ull << 1) | 1;
  EXPECT_TRUE(watchpoint_matches(loads, 0x3000, load(0x3000, 4)));
  EXPECT_FALSE(watchpoint_matches(loads, 0x3000, store(0x3000, 4)));
  EXPECT_TRUE(watchpoint_matches(stores, 0x3000, store(0x3000, 4)));
  EXPECT_FALSE(watchpoint_matches(stores, 0x3000, load(0x3000, 4)));
}

TEST(Watchpoint, PrivilegeAccessControl) {
  const uint64_t el0_only = (0xffull << 5) | (3ull << 3) | (2ull << 1) | 1;
  EXPECT_FALSE(watchpoint_matches(kEl1ReadWrite8, 0x3000, store(0x3000, 4, true)));
  EXPECT_TRUE(watchpoint_matches(el0_only, 0x3000, store(0x3000, 4, true)));
  EXPECT_FALSE(watchpoint_matches(el0_only, 0x3000, store(0x3000, 4, false)));
}

TEST(Watchpoint, MaskWatchesARange) {
  // MASK = 12: a 4 KiB range; BAS must be all ones.
  const uint64_t wcr = kEl1ReadWrite8 | (12ull << 24);
  EXPECT_TRUE(watchpoint_matches(wcr, 0x0900'0000, store(0x0900'0ffc, 4)));
  EXPECT_TRUE(watchpoint_matches(wcr, 0x0900'0123, load(0x0900'0000, 1)));  // WVR aligned down
  EXPECT_FALSE(watchpoint_matches(wcr, 0x0900'0000, store(0x0900'1000, 4)));
  EXPECT_FALSE(
      watchpoint_matches(kEl1ReadWrite8 | (2ull << 24), 0x0900'0000, store(0x0900'0000, 4)));
}

TEST(Watchpoint, LinkedOrSecureOnlyDoNotMatch) {
  EXPECT_FALSE(watchpoint_matches(kEl1ReadWrite8 | (1ull << 20), 0x3000, store(0x3000, 4)));
  EXPECT_FALSE(watchpoint_matches(kEl1ReadWrite8 | (2ull << 14), 0x3000, store(0x3000, 4)));
  EXPECT_TRUE(watchpoint_matches(kEl1ReadWrite8 | (1ull << 14), 0x3000, store(0x3000, 4)));
}

}  // namespace
}  // namespace nestlab
