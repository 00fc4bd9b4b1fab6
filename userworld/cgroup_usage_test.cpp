// The usage reader against the file layouts of both cgroup versions: the
// v1 tree below is what this project's hosts mount, the v2 one what most
// current distributions do (same names and formats as the kernel's
// Documentation/admin-guide/cgroup-v1/memory.rst and cgroup-v2.rst).
#include "userworld/cgroup_usage.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace nestlab::userworld {
namespace {

namespace fs = std::filesystem;

void put(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

class CgroupUsageFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nestlab-cgusage-XXXXXX";
    m_root = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(m_root); }
  std::string m_root;
};

TEST(CgroupUsage, ParsesLimitsAndKeyedFiles) {
  EXPECT_EQ(parse_limit("123\n"), 123u);
  EXPECT_EQ(parse_limit("max\n"), std::nullopt);
  EXPECT_EQ(parse_limit("9223372036854771712\n"), std::nullopt);  // v1 "unlimited"
  EXPECT_EQ(parse_limit("garbage"), std::nullopt);
  EXPECT_EQ(parse_keyed("usage_usec 42\nuser_usec 40\n", "usage_usec"), 42u);
  EXPECT_EQ(parse_keyed("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", "max"), 3u);
  EXPECT_EQ(parse_keyed("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "oom_kill"), 2u);
  EXPECT_EQ(parse_keyed("a 1\n", "b"), std::nullopt);
}

TEST_F(CgroupUsageFiles, ReadsV1) {
  std::string g = "nestlab/alice/vhv-1";
  put(m_root + "/memory/" + g + "/memory.usage_in_bytes", "1048576\n");
  put(m_root + "/memory/" + g + "/memory.max_usage_in_bytes", "2097152\n");
  put(m_root + "/memory/" + g + "/memory.limit_in_bytes", "671088640\n");
  put(m_root + "/memory/" + g + "/memory.failcnt", "4\n");
  put(m_root + "/memory/" + g + "/memory.oom_control",
      "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  put(m_root + "/cpuacct/" + g + "/cpuacct.usage", "123456789\n");
  put(m_root + "/pids/" + g + "/pids.current", "5\n");
  put(m_root + "/pids/" + g + "/pids.max", "max\n");
  auto u = read_cgroup_usage(g, CgroupVersion::V1, m_root);
  ASSERT_TRUE(u.is_ok()) << u.error().message;
  EXPECT_EQ(u.value().memory_current, 1048576u);
  EXPECT_EQ(u.value().memory_peak, 2097152u);
  EXPECT_EQ(u.value().memory_limit, 671088640u);
  EXPECT_EQ(u.value().memory_limit_hits, 4u);
  EXPECT_EQ(u.value().oom_kills, 1u);
  EXPECT_EQ(u.value().cpu_ns, 123456789u);
  EXPECT_EQ(u.value().pids_current, 5u);
  EXPECT_EQ(u.value().pids_limit, std::nullopt);
  auto e = read_memory_events(g, CgroupVersion::V1, m_root);
  ASSERT_TRUE(e.is_ok()) << e.error().message;
  EXPECT_EQ(e.value().memory_limit_hits, 4u);
  EXPECT_EQ(e.value().oom_kills, 1u);
  EXPECT_EQ(e.value().memory_limit, 671088640u);
}

TEST_F(CgroupUsageFiles, ReadsV2) {
  std::string g = "nestlab/alice/vhv-1";
  put(m_root + "/" + g + "/cpu.stat", "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n");
  put(m_root + "/" + g + "/memory.current", "3145728\n");
  put(m_root + "/" + g + "/memory.peak", "4194304\n");
  put(m_root + "/" + g + "/memory.max", "max\n");
  put(m_root + "/" + g + "/memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
  put(m_root + "/" + g + "/pids.current", "3\n");
  put(m_root + "/" + g + "/pids.max", "256\n");
  auto u = read_cgroup_usage(g, CgroupVersion::V2, m_root);
  ASSERT_TRUE(u.is_ok()) << u.error().message;
  EXPECT_EQ(u.value().cpu_ns, 2500000u);
  EXPECT_EQ(u.value().memory_current, 3145728u);
  EXPECT_EQ(u.value().memory_peak, 4194304u);
  EXPECT_EQ(u.value().memory_limit, std::nullopt);
  EXPECT_EQ(u.value().memory_limit_hits, 7u);
  EXPECT_EQ(u.value().oom_kills, 1u);
  EXPECT_EQ(u.value().pids_current, 3u);
  EXPECT_EQ(u.value().pids_limit, 256u);
  auto e = read_memory_events(g, CgroupVersion::V2, m_root);
  ASSERT_TRUE(e.is_ok()) << e.error().message;
  EXPECT_EQ(e.value().memory_limit_hits, 7u);
  EXPECT_EQ(e.value().oom_kills, 1u);
  EXPECT_EQ(e.value().memory_limit, std::nullopt);
}

TEST_F(CgroupUsageFiles, AMissingGroupIsNotFound) {
  EXPECT_EQ(read_cgroup_usage("nope", CgroupVersion::V1, m_root).error().code, ErrorCode::NotFound);
  EXPECT_EQ(read_cgroup_usage("nope", CgroupVersion::V2, m_root).error().code, ErrorCode::NotFound);
  EXPECT_TRUE(read_memory_events("nope", CgroupVersion::V1, m_root).is_error());
  EXPECT_TRUE(read_memory_events("nope", CgroupVersion::V2, m_root).is_error());
}

}  // namespace
}  // namespace nestlab::userworld
