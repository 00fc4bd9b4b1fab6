#include "userworld/cgroup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

namespace nestlab::userworld {
namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

TEST(Cgroup, CreatesAppliesLimitsAndRemoves) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups needs root here";
  if (cgroup_v2_unified()) GTEST_SKIP() << "v1 file names below";
  std::string parent = "nestlab-test-cg-" + std::to_string(::getpid());
  std::string path = parent + "/one";
  auto cg = Cgroup::create(path, {300u << 20, 50});
  ASSERT_TRUE(cg.is_ok()) << cg.error().message;
  auto& group = *cg.value();
  EXPECT_EQ(group.path(), path);
  std::string mem = "/sys/fs/cgroup/memory/" + path;
  ASSERT_TRUE(exists(mem));
  EXPECT_EQ(read_first_line(mem + "/memory.limit_in_bytes"), std::to_string(300u << 20));
  EXPECT_EQ(read_first_line("/sys/fs/cgroup/pids/" + path + "/pids.max"), "50");
  ASSERT_TRUE(group.remove().is_ok());
  EXPECT_FALSE(exists(mem));
  for (const char* c : {"cpu", "cpuacct", "memory", "pids"})
    ::rmdir(("/sys/fs/cgroup/" + std::string(c) + "/" + parent).c_str());
}

}  // namespace
}  // namespace nestlab::userworld
