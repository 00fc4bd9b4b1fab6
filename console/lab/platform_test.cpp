#include "console/lab/platform.h"

#include <gtest/gtest.h>

namespace nestlab::lab {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

TEST(Platform, TheDrawnRamSizeIsNeverTheNominalOne) {
  // Three choices (62, 64, 66 MiB) with 64 nominal: a cheater printing 64
  // would be right one run in three without the exclusion.
  LabDefinition lab;
  lab.mem = 64 * kMiB;
  lab.mem_min = 62 * kMiB;
  lab.mem_max = 66 * kMiB;
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 200; ++i) {
    const uint64_t mem = choose_platform(lab).mem;
    EXPECT_NE(mem, lab.mem);
    EXPECT_TRUE(mem == 62 * kMiB || mem == 66 * kMiB) << mem;
    saw_low = saw_low || mem == 62 * kMiB;
    saw_high = saw_high || mem == 66 * kMiB;
  }
  EXPECT_TRUE(saw_low && saw_high);  // both other sizes still come up
}

TEST(Platform, ANominalSizeOutsideTheRangeChangesNothing) {
  LabDefinition lab;
  lab.mem = 64 * kMiB;
  lab.mem_min = 96 * kMiB;
  lab.mem_max = 96 * kMiB;
  EXPECT_EQ(choose_platform(lab).mem, 96 * kMiB);
}

}  // namespace
}  // namespace nestlab::lab
