// VHV lifecycle through the API. Most tests use the test-only stub
// highvisor (testdata/stub_highvisor.py) to check the kernel's bookkeeping;
// RealHighvisor uses bin/nestlab-vhv and the lowvisor and skips without them.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "kernel/test_kernel_process.h"

namespace nestlab::kernel::test {
namespace {

std::string decode_base64(const std::string& in) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    auto pos = chars.find(c);
    if (pos == std::string::npos) break;
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

int image_fd(const std::string& contents) {
  int fd = ::memfd_create("image", MFD_CLOEXEC);
  (void)!::write(fd, contents.data(), contents.size());
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

// The next `event` notification of the given type, skipping others.
json next_event(TestClient& c, const std::string& type) {
  for (int i = 0; i < 20; ++i) {
    json e = c.next_notification("event");
    if (e.is_null()) return e;
    if (e["params"]["type"] == type) return e;
  }
  return nullptr;
}

bool has_python() { return ::access("/usr/bin/python3", X_OK) == 0; }

class StubVhvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!has_python()) GTEST_SKIP() << "python3 is needed for the stub highvisor";
    m_kernel = std::make_unique<TestKernel>(KernelOptions{.vhv_path = stub_highvisor_path()});
    ASSERT_TRUE(m_kernel->started()) << m_kernel->stderr_text();
  }
  std::unique_ptr<TestKernel> m_kernel;
};

TEST_F(StubVhvTest, CreateRunConsoleAndDestroy) {
  TestClient c(m_kernel->socket_path());
  ASSERT_TRUE(c.call("events.subscribe").contains("result"));
  json created = c.call("vhv.create", {{"name", "lab1"}, {"mem", 64 << 20}});
  ASSERT_TRUE(created.contains("result")) << created << m_kernel->stderr_text();
  json info = created["result"];
  EXPECT_EQ(info["name"], "lab1");
  EXPECT_EQ(info["state"], "ready");
  EXPECT_EQ(info["qemu_pid"], 4242);
  EXPECT_EQ(info["owner_uid"], ::geteuid());
  pid_t pid = info["pid"].get<pid_t>();
  EXPECT_TRUE(process_alive(pid));
  if (::geteuid() == 0) {
    EXPECT_EQ(info["limits"], "cgroup") << info;
  }
  EXPECT_FALSE(next_event(c, "vhv-ready").is_null());

  // Names are unique.
  json dup = c.call("vhv.create", {{"name", "lab1"}});
  EXPECT_EQ(dup["error"]["data"]["code"], "invalid-argument") << dup;

  // The image fd reaches the highvisor: the stub prints its first bytes.
  int fd = image_fd("ELFDATA-and-more");
  json run =
      c.call("vm.run", {{"vhv", "lab1"}, {"image_fd", 0}, {"image_name", "hello.elf"}}, {fd});
  ::close(fd);
  ASSERT_TRUE(run.contains("result")) << run;
  EXPECT_EQ(run["result"]["vm"], 0);
  json exit_event = next_event(c, "vm-exit");
  ASSERT_FALSE(exit_event.is_null());
  EXPECT_EQ(exit_event["params"]["code"], 7);
  EXPECT_EQ(exit_event["params"]["counters"]["HVC64"], 3);

  // A console subscriber arriving after the run gets the replay.
  TestClient late(m_kernel->socket_path());
  ASSERT_TRUE(late.call("console.subscribe", {{"vhv", "lab1"}}).contains("result"));
  json console = late.next_notification("console");
  ASSERT_FALSE(console.is_null());
  EXPECT_EQ(decode_base64(console["params"]["data"]), "image:ELFDATA-\n");

  json inspect = c.call("vhv.inspect", {{"vhv", "lab1"}});
  EXPECT_EQ(inspect["result"]["counters"]["HVC64"], 3) << inspect;
  EXPECT_EQ(inspect["result"]["vm"]["exit_code"], 7);

  std::string id = info["id"];
  EXPECT_TRUE(c.call("vhv.destroy", {{"vhv", id}}).contains("result"));
  EXPECT_FALSE(process_alive(pid));
  EXPECT_EQ(c.call("vhv.list")["result"].size(), 0u);
  if (::geteuid() == 0) {
    std::string cg = "/sys/fs/cgroup/pids" + info["cgroup"].get<std::string>();
    EXPECT_NE(::access(cg.c_str(), F_OK), 0) << cg << " was not removed";
  }
}

TEST_F(StubVhvTest, OthersCannotSeeOrTouchMyVhv) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as two users";
  ::chmod(m_kernel->socket_path().c_str(), 0666);  // let "nobody" connect (test only)
  TestClient root(m_kernel->socket_path());
  json created = root.call("vhv.create", {{"name", "mine"}});
  ASSERT_TRUE(created.contains("result")) << created;
  // SO_PEERCRED records the effective uid at connect().
  ASSERT_EQ(::seteuid(65534), 0);
  TestClient other(m_kernel->socket_path());
  ASSERT_EQ(::seteuid(0), 0);
  EXPECT_EQ(other.call("vhv.list")["result"].size(), 0u);
  for (const char* method :
       {"vhv.inspect", "vhv.destroy", "console.subscribe", "events.subscribe"}) {
    json r = other.call(method, {{"vhv", "mine"}});
    EXPECT_EQ(r["error"]["data"]["code"], "not-found") << method << r;
  }
  int fd = image_fd("x");
  json r = other.call("vm.run", {{"vhv", "mine"}, {"image_fd", 0}}, {fd});
  ::close(fd);
  EXPECT_EQ(r["error"]["data"]["code"], "not-found") << r;
  EXPECT_EQ(root.call("vhv.list")["result"].size(), 1u);
}

TEST_F(StubVhvTest, EphemeralVhvDiesWithItsConnection) {
  pid_t pid;
  {
    TestClient c(m_kernel->socket_path());
    json created = c.call("vhv.create", {{"ephemeral", true}});
    ASSERT_TRUE(created.contains("result")) << created;
    EXPECT_EQ(created["result"]["id"], "vhv-1");
    pid = created["result"]["pid"];
  }
  TestClient other(m_kernel->socket_path());
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    ::usleep(50000);
    gone = other.call("vhv.list")["result"].empty() && !process_alive(pid);
  }
  EXPECT_TRUE(gone);
}

TEST_F(StubVhvTest, AHighvisorDyingLeavesTheRestAlone) {
  TestClient c(m_kernel->socket_path());
  json a = c.call("vhv.create", {{"name", "a"}});
  json b = c.call("vhv.create", {{"name", "b"}});
  ASSERT_TRUE(a.contains("result") && b.contains("result"));
  ASSERT_TRUE(c.call("events.subscribe", {{"vhv", "a"}}).contains("result"));
  int fd = image_fd("x");
  ASSERT_TRUE(c.call("vm.run", {{"vhv", "a"}, {"image_fd", 0}, {"append", "stay"}}, {fd})
                  .contains("result"));
  ::close(fd);
  ::kill(a["result"]["pid"].get<pid_t>(), SIGKILL);
  json died, failed;
  for (int i = 0; i < 6 && (died.is_null() || failed.is_null()); ++i) {
    json e = c.next_notification("event");
    if (e.is_null()) break;
    if (e["params"]["type"] == "vm-exit") died = e;
    if (e["params"]["type"] == "vhv-failed") failed = e;
  }
  EXPECT_EQ(died["params"]["reason"], "vhv-died") << died;
  EXPECT_NE(failed["params"]["message"].get<std::string>().find("SIGKILL"), std::string::npos)
      << failed;
  json list = c.call("vhv.list")["result"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(c.call("vhv.inspect", {{"vhv", "a"}})["result"]["state"], "failed");
  EXPECT_EQ(c.call("vhv.inspect", {{"vhv", "b"}})["result"]["state"], "ready");
  EXPECT_TRUE(process_alive(b["result"]["pid"].get<pid_t>()));
  EXPECT_TRUE(c.call("vhv.destroy", {{"vhv", "a"}}).contains("result"));
}

TEST_F(StubVhvTest, FailedStartReportsTheHighvisorsMessage) {
  TestClient c(m_kernel->socket_path());
  json r = c.call("vhv.create", {{"name", "fail-1"}});
  ASSERT_TRUE(r.contains("error")) << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("lowvisor panicked"), std::string::npos)
      << r;
  EXPECT_TRUE(c.call("vhv.list")["result"].empty());
}

TEST_F(StubVhvTest, StuckHighvisorIsKilledAfterTheGracePeriod) {
  TestClient c(m_kernel->socket_path());
  json r = c.call("vhv.create", {{"name", "slow-1"}});
  ASSERT_TRUE(r.contains("result")) << r;
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.call("vhv.destroy", {{"vhv", "slow-1"}}).contains("result"));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(2900));
  EXPECT_LT(took, std::chrono::milliseconds(6000));
  EXPECT_FALSE(process_alive(r["result"]["pid"].get<pid_t>()));
}

TEST_F(StubVhvTest, SigtermDestroysAllVhvs) {
  TestClient c(m_kernel->socket_path());
  json a = c.call("vhv.create");
  ASSERT_TRUE(a.contains("result"));
  ::kill(m_kernel->pid(), SIGTERM);
  int status = m_kernel->wait_exit(8000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(process_alive(a["result"]["pid"].get<pid_t>()));
}

// The real highvisor, when it and the lowvisor have been built.
TEST(RealHighvisor, RunsAGuest) {
  std::string bin = nestlabd_path().substr(0, nestlabd_path().rfind('/'));
  const char* env_vhv = std::getenv("NESTLAB_VHV");
  std::string vhv = env_vhv ? env_vhv : bin + "/nestlab-vhv";
  std::string share = bin + "/../share/nestlab";
  if (::access(vhv.c_str(), X_OK) != 0) GTEST_SKIP() << vhv << " is not built";
  if (::access((share + "/lowvisor.elf").c_str(), R_OK) != 0)
    GTEST_SKIP() << share << "/lowvisor.elf is not built";
  std::string guest = share + "/guests/hello.elf";
  if (::access(guest.c_str(), R_OK) != 0) GTEST_SKIP() << guest << " is not built";
  TestKernel kernel({.vhv_path = vhv});
  ASSERT_TRUE(kernel.started());
  TestClient c(kernel.socket_path());
  json created = c.call("vhv.create", {{"ephemeral", true}}, {}, 30000);
  ASSERT_TRUE(created.contains("result")) << created << kernel.stderr_text();
  ASSERT_TRUE(c.call("events.subscribe").contains("result"));
  ASSERT_TRUE(c.call("console.subscribe", {{"vhv", created["result"]["id"]}}).contains("result"));
  int fd = ::open(guest.c_str(), O_RDONLY | O_CLOEXEC);
  json run = c.call(
      "vm.run", {{"vhv", created["result"]["id"]}, {"image_fd", 0}, {"image_name", "hello.elf"}},
      {fd});
  ::close(fd);
  ASSERT_TRUE(run.contains("result")) << run << kernel.stderr_text();
  std::string output;
  json exit_event;
  for (int i = 0; i < 200 && exit_event.is_null(); ++i) {
    json m = c.read_message(10000);
    if (m.is_null()) break;
    if (m.value("method", "") == "console") output += decode_base64(m["params"]["data"]);
    if (m.value("method", "") == "event" && m["params"]["type"] == "vm-exit") exit_event = m;
  }
  EXPECT_FALSE(exit_event.is_null()) << kernel.stderr_text();
  EXPECT_FALSE(output.empty());
  std::cout << "guest said: " << output << "\nexit: " << exit_event << "\n";
}

}  // namespace
}  // namespace nestlab::kernel::test
