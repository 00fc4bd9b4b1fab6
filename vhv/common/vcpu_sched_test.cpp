#include "vhv/common/vcpu_sched.h"

#include <gtest/gtest.h>

namespace nestlab::vcpu_sched {
namespace {

// Two always-runnable vCPUs on one CPU, run slice by slice the way the
// lowvisor does: the shares follow the weights.
double share_of_first(uint32_t w0, uint32_t w1, int slices) {
  Candidate c[2] = {{true, 0}, {true, 0}};
  const uint32_t weight[2] = {w0, w1};
  uint64_t ran[2] = {};
  for (int s = 0; s < slices; ++s) {
    const int i = pick(c, 2);
    ran[i] += 1000;
    c[i].vruntime += virtual_delta(1000, weight[i]);
  }
  return double(ran[0]) / double(ran[0] + ran[1]);
}

TEST(VcpuSched, WeightsShareOneCpu) {
  EXPECT_NEAR(share_of_first(1, 3, 400), 0.25, 0.01);
  EXPECT_NEAR(share_of_first(1, 1, 400), 0.5, 0.01);
  EXPECT_NEAR(share_of_first(10000, 1, 100000), 10000.0 / 10001.0, 0.001);
}

TEST(VcpuSched, PickSkipsWhatCannotRun) {
  Candidate c[3] = {{false, 0}, {true, 50}, {true, 40}};
  EXPECT_EQ(pick(c, 3), 2);
  c[2].runnable = false;
  EXPECT_EQ(pick(c, 3), 1);
  c[1].runnable = false;
  EXPECT_EQ(pick(c, 3), -1);
  EXPECT_EQ(pick(c, 0), -1);
}

TEST(VcpuSched, TiesGoToTheFirstOffered) {
  Candidate c[2] = {{true, 7}, {true, 7}};
  EXPECT_EQ(pick(c, 2), 0);
}

TEST(VcpuSched, SleepBanksNoCredit) {
  EXPECT_EQ(placed_on_wakeup(10, 1000, 100), 900u);
  EXPECT_EQ(placed_on_wakeup(950, 1000, 100), 950u);
  EXPECT_EQ(placed_on_wakeup(0, 50, 100), 0u);  // no underflow
}

TEST(VcpuSched, WeightsAreClamped) {
  EXPECT_EQ(clamp_weight(0), kDefaultWeight);
  EXPECT_EQ(clamp_weight(kMaxWeight + 1), kMaxWeight);
  EXPECT_EQ(virtual_delta(100, 0), virtual_delta(100, 1));
  EXPECT_EQ(virtual_delta(~0ull, 1), (1ull << 47) * kScale);  // saturates, no overflow
}

TEST(VcpuSched, PreemptionNeedsAMargin) {
  EXPECT_FALSE(should_preempt(100, false, 0, 10));
  EXPECT_FALSE(should_preempt(100, true, 95, 10));
  EXPECT_TRUE(should_preempt(100, true, 80, 10));
}

TEST(VcpuSched, Deadlines) {
  EXPECT_EQ(host_deadline(100, 5), 105u);
  EXPECT_EQ(host_deadline(~0ull - 2, 5), ~0ull);
  EXPECT_EQ(earliest(0, 7), 7u);
  EXPECT_EQ(earliest(9, 0), 9u);
  EXPECT_EQ(earliest(9, 7), 7u);
}

}  // namespace
}  // namespace nestlab::vcpu_sched
