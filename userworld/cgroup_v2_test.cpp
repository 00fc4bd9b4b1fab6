// cgroup v2 on two kinds of tree:
//  - a plain directory laid out as cgroupfs lays out a v2 hierarchy (the
//    files nestlab reads and writes, with what the kernel would show), for
//    the limit files and the delegation writes on any host;
//  - a real cgroup2 mount in a private mount namespace, for what only the
//    kernel does (mkdir making a group, cgroup.procs moving a process,
//    rmdir refusing a populated group). On a v1 host the v2 hierarchy only
//    has the controllers no v1 hierarchy holds (here: hugetlb), so the real
//    run delegates that one.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "userworld/cgroup_settings.h"
#include "userworld/cgroup_v2.h"

namespace nestlab::userworld {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void put(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::trunc) << text;
}

// A group directory as the kernel makes it: interface files of the core
// and of each controller the parent delegated to it.
void fake_group(const std::string& dir, const std::string& controllers) {
  put(dir + "/cgroup.controllers", controllers + "\n");
  put(dir + "/cgroup.subtree_control", "");
  put(dir + "/cgroup.procs", "");
  put(dir + "/cpu.stat", "usage_usec 0\n");
  std::istringstream names(controllers);
  for (std::string c; names >> c;) {
    if (c == "cpu") {
      put(dir + "/cpu.weight", "100\n");
      put(dir + "/cpu.max", "max 100000\n");
    } else if (c == "memory") {
      put(dir + "/memory.max", "max\n");
      put(dir + "/memory.swap.max", "max\n");
    } else if (c == "pids") {
      put(dir + "/pids.max", "max\n");
    }
  }
}

class FakeV2Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nestlab-fake-cgroup2-XXXXXX";
    m_root = ::mkdtemp(tmpl);
    fake_group(m_root, "cpuset cpu io memory hugetlb pids");
  }
  void TearDown() override { std::filesystem::remove_all(m_root); }
  std::string m_root;
};

TEST_F(FakeV2Tree, DelegationEnablesOnlyWhatTheGroupOffers) {
  // Not offered by the root: never written.
  EXPECT_TRUE(cgroup2::delegate(m_root, "", {"rdma"}).empty());
  EXPECT_EQ(read_file(m_root + "/cgroup.subtree_control"), "");
  // Offered and not enabled yet: "+name", one controller per write.
  (void)cgroup2::delegate(m_root, "", {"pids"});
  EXPECT_EQ(read_file(m_root + "/cgroup.subtree_control"), "+pids");
  // Already enabled (the kernel lists it without the "+"): left alone.
  fake_group(m_root + "/nestlab", "memory");
  put(m_root + "/nestlab/cgroup.subtree_control", "memory\n");
  auto enabled = cgroup2::delegate(m_root, "nestlab", {"cpu", "memory"});
  ASSERT_EQ(enabled.size(), 1u);
  EXPECT_EQ(enabled[0], "memory");
  EXPECT_EQ(read_file(m_root + "/nestlab/cgroup.subtree_control"), "memory\n");
}

TEST_F(FakeV2Tree, LimitFilesGetTheV2Values) {
  std::string group = "nestlab/alice/vhv-7";
  fake_group(m_root + "/" + group, "cpu memory pids");
  CgroupLimits limits{640u << 20, 256, 300, 150};
  ASSERT_TRUE(write_cgroup_limits(m_root, CgroupVersion::V2, group, limits).is_ok());
  std::string dir = m_root + "/" + group;
  EXPECT_EQ(read_file(dir + "/memory.max"), std::to_string(640u << 20));
  EXPECT_EQ(read_file(dir + "/memory.swap.max"), "0");
  EXPECT_EQ(read_file(dir + "/pids.max"), "256");
  EXPECT_EQ(read_file(dir + "/cpu.weight"), "300");
  EXPECT_EQ(read_file(dir + "/cpu.max"), "150000 100000");
  // Lifted again: "max" everywhere, the weight back to the default.
  ASSERT_TRUE(write_cgroup_limits(m_root, CgroupVersion::V2, group, {}).is_ok());
  EXPECT_EQ(read_file(dir + "/memory.max"), "max");
  EXPECT_EQ(read_file(dir + "/pids.max"), "max");
  EXPECT_EQ(read_file(dir + "/cpu.max"), "max 100000");
  EXPECT_EQ(read_file(dir + "/cpu.weight"), "100");
}

TEST_F(FakeV2Tree, AGroupWithoutAControllerGetsNoneOfItsFiles) {
  std::string group = "nestlab/bob/vhv-8";
  fake_group(m_root + "/" + group, "pids");
  ASSERT_TRUE(write_cgroup_limits(m_root, CgroupVersion::V2, group, {1u << 30, 64, 0, 50}).is_ok());
  EXPECT_EQ(read_file(m_root + "/" + group + "/pids.max"), "64");
  EXPECT_FALSE(std::filesystem::exists(m_root + "/" + group + "/memory.max"));
  EXPECT_FALSE(std::filesystem::exists(m_root + "/" + group + "/cpu.max"));
}

TEST_F(FakeV2Tree, ProcessesAndChildrenAreRead) {
  fake_group(m_root + "/nestlab/alice/vhv-1", "");
  fake_group(m_root + "/nestlab/alice/vhv-2", "");
  put(m_root + "/nestlab/alice/vhv-1/cgroup.procs", "4100\n4101\n");
  ASSERT_TRUE(cgroup2::attach(m_root, "nestlab/alice/vhv-2", 4242).is_ok());
  EXPECT_EQ(read_file(m_root + "/nestlab/alice/vhv-2/cgroup.procs"), "4242");
  auto pids = cgroup2::processes(m_root, "nestlab/alice/vhv-1");
  ASSERT_EQ(pids.size(), 2u);
  EXPECT_EQ(pids[0], 4100);
  EXPECT_EQ(pids[1], 4101);
  auto kids = cgroup2::children(m_root, "nestlab/alice");
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0], "vhv-1");
  EXPECT_EQ(kids[1], "vhv-2");
  EXPECT_TRUE(cgroup2::make_group(m_root, "../escape", {}).is_error());
  EXPECT_TRUE(cgroup2::make_group(m_root, "/abs", {}).is_error());
}

// The real thing, in a child with a mount namespace of its own. Exit codes
// name the step that failed; 77 means the kernel does not allow the mount.
int real_v2_run(const std::string& mount_point) {
  if (::unshare(CLONE_NEWNS) < 0) return 77;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return 77;
  if (::mount("none", mount_point.c_str(), "cgroup2", 0, nullptr) < 0) return 77;
  std::string root = mount_point;
  std::string top = "nestlab-test-v2-" + std::to_string(::getpid());
  std::string group = top + "/alice/vhv-1";
  auto offered = cgroup2::controllers(root, "");
  bool hugetlb_before =
      read_file(root + "/cgroup.subtree_control").find("hugetlb") != std::string::npos;
  std::vector<std::string> wanted = {"cpu", "memory", "pids", "hugetlb"};
  auto made = cgroup2::make_group(root, group, wanted);
  if (made.is_error()) return 10;
  // Whatever of `wanted` the root offers reached the new group.
  for (const auto& c : wanted) {
    bool at_root = std::find(offered.begin(), offered.end(), c) != offered.end();
    bool got = std::find(made.value().begin(), made.value().end(), c) != made.value().end();
    if (at_root != got) return 11;
  }
  if (!std::filesystem::exists(root + "/" + group + "/cgroup.procs")) return 12;
  pid_t sleeper = ::fork();
  if (sleeper == 0) {
    ::pause();
    ::_exit(0);
  }
  int rc = 0;
  if (cgroup2::attach(root, group, sleeper).is_error()) rc = 13;
  auto pids = cgroup2::processes(root, group);
  if (!rc && (pids.size() != 1 || pids[0] != sleeper)) rc = 14;
  std::string own = read_file("/proc/" + std::to_string(sleeper) + "/cgroup");
  if (!rc && own.find("0::/" + group + "\n") == std::string::npos) rc = 15;
  if (!rc && cgroup2::remove(root, group).is_ok()) rc = 16;  // populated: refused
  ::kill(sleeper, SIGKILL);
  ::waitpid(sleeper, nullptr, 0);
  for (int i = 0; i < 100 && !cgroup2::processes(root, group).empty(); ++i) ::usleep(10000);
  if (!rc && cgroup2::remove(root, group).is_error()) rc = 17;
  (void)cgroup2::remove(root, top + "/alice");
  (void)cgroup2::remove(root, top);
  if (!hugetlb_before) {
    int fd = ::open((root + "/cgroup.subtree_control").c_str(), O_WRONLY);
    if (fd >= 0) {
      (void)!::write(fd, "-hugetlb", 8);
      ::close(fd);
    }
  }
  return rc;
}

TEST(RealCgroup2, GroupsDelegationAndProcessesInAPrivateMount) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting cgroup2 needs root";
  char tmpl[] = "/tmp/nestlab-cgroup2-XXXXXX";
  std::string mount_point = ::mkdtemp(tmpl);
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(real_v2_run(mount_point));
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::rmdir(mount_point.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77)
    GTEST_SKIP() << "this kernel does not let root mount cgroup2 in a private mount namespace";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "step " << WEXITSTATUS(status) << " of real_v2_run failed";
}

}  // namespace
}  // namespace nestlab::userworld
