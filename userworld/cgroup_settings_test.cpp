// The limit files of both cgroup versions (cgroup-v1/memory.rst, cpu.rst
// "CFS bandwidth", cgroup-v2.rst), checked on any host.
#include "userworld/cgroup_settings.h"

#include <gtest/gtest.h>

#include <map>

namespace nestlab::userworld {
namespace {

std::map<std::string, std::string> as_map(const std::vector<CgroupSetting>& settings) {
  std::map<std::string, std::string> m;
  for (const auto& s : settings) m[s.controller + ":" + s.file] = s.value;
  return m;
}

TEST(CgroupSettings, V1NamesAndValues) {
  CgroupLimits l{256u << 20, 64, 200, 50};
  auto m = as_map(cgroup_settings(l, CgroupVersion::V1, true));
  EXPECT_EQ(m["cpu:cpu.shares"], "2048");
  EXPECT_EQ(m["cpu:cpu.cfs_period_us"], "100000");
  EXPECT_EQ(m["cpu:cpu.cfs_quota_us"], "50000");
  EXPECT_EQ(m["memory:memory.limit_in_bytes"], std::to_string(256u << 20));
  EXPECT_EQ(m["memory:memory.memsw.limit_in_bytes"], std::to_string(256u << 20));
  EXPECT_EQ(m["pids:pids.max"], "64");
  EXPECT_EQ(m.count("memory:memory.max"), 0u);
}

TEST(CgroupSettings, V1WithoutSwapAccountingHasNoMemsw) {
  auto m = as_map(cgroup_settings({1u << 30, 0, 0, 0}, CgroupVersion::V1, false));
  EXPECT_EQ(m.count("memory:memory.memsw.limit_in_bytes"), 0u);
  EXPECT_EQ(m["memory:memory.limit_in_bytes"], std::to_string(1u << 30));
}

TEST(CgroupSettings, V1UnsetLimitsAreLifted) {
  auto m = as_map(cgroup_settings({}, CgroupVersion::V1, true));
  EXPECT_EQ(m["cpu:cpu.shares"], "1024");
  EXPECT_EQ(m["cpu:cpu.cfs_quota_us"], "-1");
  EXPECT_EQ(m["memory:memory.limit_in_bytes"], "-1");
  EXPECT_EQ(m["memory:memory.memsw.limit_in_bytes"], "-1");
  EXPECT_EQ(m["pids:pids.max"], "max");
}

TEST(CgroupSettings, V1MemswFollowsTheMemoryLimit) {
  // The order matters to the kernel only when both change; the pair is
  // always written together (cgroup.cpp retries in the other order).
  auto s = cgroup_settings({1u << 20, 0, 0, 0}, CgroupVersion::V1, true);
  size_t limit = 0, memsw = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i].file == "memory.limit_in_bytes") limit = i;
    if (s[i].file == "memory.memsw.limit_in_bytes") memsw = i;
  }
  EXPECT_EQ(memsw, limit + 1);
}

TEST(CgroupSettings, V2NamesAndValues) {
  CgroupLimits l{256u << 20, 64, 200, 150};
  auto m = as_map(cgroup_settings(l, CgroupVersion::V2, true));
  EXPECT_EQ(m["cpu:cpu.weight"], "200");
  EXPECT_EQ(m["cpu:cpu.max"], "150000 100000");
  EXPECT_EQ(m["memory:memory.max"], std::to_string(256u << 20));
  EXPECT_EQ(m["memory:memory.swap.max"], "0");
  EXPECT_EQ(m["pids:pids.max"], "64");
  EXPECT_EQ(m.count("cpu:cpu.shares"), 0u);
  EXPECT_EQ(m.count("memory:memory.limit_in_bytes"), 0u);
}

TEST(CgroupSettings, V2UnsetLimitsAreMax) {
  auto m = as_map(cgroup_settings({}, CgroupVersion::V2, false));
  EXPECT_EQ(m["cpu:cpu.weight"], "100");
  EXPECT_EQ(m["cpu:cpu.max"], "max 100000");
  EXPECT_EQ(m["memory:memory.max"], "max");
  EXPECT_EQ(m["memory:memory.swap.max"], "0");
  EXPECT_EQ(m["pids:pids.max"], "max");
}

TEST(CgroupSettings, WeightToShares) {
  EXPECT_EQ(cpu_weight_to_shares(100), 1024u);
  EXPECT_EQ(cpu_weight_to_shares(1), 10u);
  EXPECT_EQ(cpu_weight_to_shares(10000), 102400u);
  EXPECT_EQ(cpu_weight_to_shares(0), 2u);
}

TEST(CgroupSettings, FilePaths) {
  EXPECT_EQ(cgroup_file("/sys/fs/cgroup", CgroupVersion::V1, "memory", "nestlab/alice/vhv-1",
                        "memory.failcnt"),
            "/sys/fs/cgroup/memory/nestlab/alice/vhv-1/memory.failcnt");
  EXPECT_EQ(cgroup_file("/sys/fs/cgroup", CgroupVersion::V2, "memory", "nestlab/alice/vhv-1",
                        "memory.events"),
            "/sys/fs/cgroup/nestlab/alice/vhv-1/memory.events");
}

}  // namespace
}  // namespace nestlab::userworld
