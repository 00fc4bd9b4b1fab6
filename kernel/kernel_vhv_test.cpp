// VHV lifecycle through the API, with the real highvisor (bin/nestlab-vhv),
// QEMU, the lowvisor and the test guests. Misbehaviour is real too: a stuck
// highvisor is one stopped with SIGSTOP, a failed start is QEMU = /bin/false
// or a share directory without the lowvisor. Every test skips, saying why,
// when something it needs is not built or installed.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
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

int guest_fd(const std::string& name) {
  return ::open((share_dir() + "/guests/" + name).c_str(), O_RDONLY | O_CLOEXEC);
}

// The next `event` notification of the given type, skipping others.
json next_event(TestClient& c, const std::string& type, int timeout_ms = 20000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    json e = c.next_notification("event", timeout_ms);
    if (e.is_null()) return e;
    if (e["params"]["type"] == type) return e;
  }
  return nullptr;
}

// Console text of a VHV until `want` shows up (or the time is up).
std::string console_until(TestClient& c, const std::string& want, int timeout_ms = 20000) {
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (text.find(want) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    json m = c.next_notification("console", 1000);
    if (!m.is_null()) text += decode_base64(m["params"]["data"]);
  }
  return text;
}

json run_guest(TestClient& c, const std::string& vhv, const std::string& guest,
               const std::string& append = "") {
  int fd = guest_fd(guest);
  json r =
      c.call("vm.run", {{"vhv", vhv}, {"image_fd", 0}, {"image_name", guest}, {"append", append}},
             {fd}, 30000);
  ::close(fd);
  return r;
}

class VhvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = missing_for_real_vhv("spin.elf");
    if (missing.empty()) missing = missing_for_real_vhv("exitcode.elf");
    if (!missing.empty()) GTEST_SKIP() << missing;
    start_kernel({});
  }
  void start_kernel(std::vector<std::pair<std::string, std::string>> env) {
    m_kernel.reset();
    m_kernel = std::make_unique<TestKernel>(
        KernelOptions{.vhv_path = real_highvisor_path(), .env = std::move(env)});
    ASSERT_TRUE(m_kernel->started()) << m_kernel->stderr_text();
  }
  json create(TestClient& c, json params) {
    json r = c.call("vhv.create", std::move(params), {}, 30000);
    EXPECT_TRUE(r.contains("result")) << r << m_kernel->stderr_text();
    return r.contains("result") ? r["result"] : json();
  }
  std::unique_ptr<TestKernel> m_kernel;
};

TEST_F(VhvTest, CreateRunConsoleAndDestroy) {
  TestClient c(m_kernel->socket_path());
  ASSERT_TRUE(c.call("events.subscribe").contains("result"));
  json info = create(c, {{"name", "lab1"}, {"mem", 64 << 20}});
  ASSERT_FALSE(info.is_null());
  EXPECT_EQ(info["name"], "lab1");
  EXPECT_EQ(info["state"], "ready");
  EXPECT_GT(info["qemu_pid"].get<int>(), 1) << info;
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

  // The image fd reaches the highvisor, the guest runs and its exit code
  // and exit counters come back.
  json run = run_guest(c, "lab1", "exitcode.elf", "exit=7");
  ASSERT_TRUE(run.contains("result")) << run << m_kernel->stderr_text();
  EXPECT_EQ(run["result"]["vm"], 0);
  json exit_event = next_event(c, "vm-exit");
  ASSERT_FALSE(exit_event.is_null()) << m_kernel->stderr_text();
  EXPECT_EQ(exit_event["params"]["reason"], "poweroff") << exit_event;
  EXPECT_EQ(exit_event["params"]["code"], 7) << exit_event;
  EXPECT_GE(exit_event["params"]["counters"].value("HVC64", 0), 1) << exit_event;

  // A console subscriber arriving after the run gets the replay.
  TestClient late(m_kernel->socket_path());
  ASSERT_TRUE(late.call("console.subscribe", {{"vhv", "lab1"}}).contains("result"));
  EXPECT_NE(console_until(late, "exiting with 7").find("exiting with 7"), std::string::npos);

  json inspect = c.call("vhv.inspect", {{"vhv", "lab1"}});
  EXPECT_GE(inspect["result"]["counters"].value("HVC64", 0), 1) << inspect;
  EXPECT_GE(inspect["result"].value("total_exits", 0), 1) << inspect;
  EXPECT_EQ(inspect["result"]["vm"]["exit_code"], 7) << inspect;

  std::string id = info["id"];
  EXPECT_TRUE(c.call("vhv.destroy", {{"vhv", id}}).contains("result"));
  EXPECT_FALSE(process_alive(pid));
  EXPECT_EQ(c.call("vhv.list")["result"].size(), 0u);
  if (::geteuid() == 0) {
    std::string cg = "/sys/fs/cgroup/pids" + info["cgroup"].get<std::string>();
    EXPECT_NE(::access(cg.c_str(), F_OK), 0) << cg << " was not removed";
  }
}

TEST_F(VhvTest, OthersCannotSeeOrTouchMyVhv) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as two users";
  ::chmod(m_kernel->socket_path().c_str(), 0666);  // let "nobody" connect (test only)
  TestClient root(m_kernel->socket_path());
  ASSERT_FALSE(create(root, {{"name", "mine"}}).is_null());
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
  int fd = guest_fd("hello.elf");
  json r = other.call("vm.run", {{"vhv", "mine"}, {"image_fd", 0}}, {fd});
  ::close(fd);
  EXPECT_EQ(r["error"]["data"]["code"], "not-found") << r;
  EXPECT_EQ(root.call("vhv.list")["result"].size(), 1u);
}

TEST_F(VhvTest, EphemeralVhvDiesWithItsConnection) {
  pid_t pid;
  {
    TestClient c(m_kernel->socket_path());
    json created = create(c, {{"ephemeral", true}});
    ASSERT_FALSE(created.is_null());
    EXPECT_EQ(created["id"], "vhv-1");
    pid = created["pid"];
  }
  TestClient other(m_kernel->socket_path());
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    ::usleep(50000);
    gone = other.call("vhv.list")["result"].empty() && !process_alive(pid);
  }
  EXPECT_TRUE(gone);
}

TEST_F(VhvTest, AHighvisorDyingLeavesTheRestAlone) {
  TestClient c(m_kernel->socket_path());
  json a = create(c, {{"name", "a"}});
  json b = create(c, {{"name", "b"}});
  ASSERT_FALSE(a.is_null() || b.is_null());
  ASSERT_TRUE(c.call("events.subscribe", {{"vhv", "a"}}).contains("result"));
  ASSERT_TRUE(c.call("console.subscribe", {{"vhv", "a"}}).contains("result"));
  ASSERT_TRUE(run_guest(c, "a", "spin.elf").contains("result"));
  EXPECT_NE(console_until(c, "spinning").find("spinning"), std::string::npos);
  ::kill(a["pid"].get<pid_t>(), SIGKILL);
  json died, failed;
  for (int i = 0; i < 10 && (died.is_null() || failed.is_null()); ++i) {
    json e = c.next_notification("event", 10000);
    if (e.is_null()) break;
    if (e["params"]["type"] == "vm-exit") died = e;
    if (e["params"]["type"] == "vhv-failed") failed = e;
  }
  EXPECT_EQ(died["params"]["reason"], "vhv-died") << died;
  ASSERT_TRUE(failed["params"]["message"].is_string()) << failed;
  EXPECT_NE(failed["params"]["message"].get<std::string>().find("SIGKILL"), std::string::npos)
      << failed;
  json list = c.call("vhv.list")["result"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(c.call("vhv.inspect", {{"vhv", "a"}})["result"]["state"], "failed");
  EXPECT_EQ(c.call("vhv.inspect", {{"vhv", "b"}})["result"]["state"], "ready");
  EXPECT_TRUE(process_alive(b["pid"].get<pid_t>()));
  // b still runs guests.
  ASSERT_TRUE(c.call("events.subscribe", {{"vhv", "b"}}).contains("result"));
  ASSERT_TRUE(run_guest(c, "b", "exitcode.elf", "exit=3").contains("result"));
  json exit_b = next_event(c, "vm-exit");
  EXPECT_EQ(exit_b["params"]["vhv"], b["id"]) << exit_b;
  EXPECT_EQ(exit_b["params"]["code"], 3) << exit_b;
  EXPECT_TRUE(c.call("vhv.destroy", {{"vhv", "a"}}).contains("result"));
}

TEST_F(VhvTest, QemuThatCannotStartIsReported) {
  start_kernel({{"NESTLAB_QEMU", "/bin/false"}});
  TestClient c(m_kernel->socket_path());
  json r = c.call("vhv.create", {{"name", "broken"}}, {}, 30000);
  ASSERT_TRUE(r.contains("error")) << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("QEMU failed to start"),
            std::string::npos)
      << r;
  EXPECT_TRUE(c.call("vhv.list")["result"].empty());
}

TEST_F(VhvTest, MissingLowvisorIsReported) {
  std::string empty_share = m_kernel->dir() + "/empty-share";
  ASSERT_EQ(::mkdir(empty_share.c_str(), 0755), 0);
  start_kernel({{"NESTLAB_SHARE_DIR", empty_share}});
  TestClient c(m_kernel->socket_path());
  json r = c.call("vhv.create", {{"name", "nolow"}}, {}, 30000);
  ASSERT_TRUE(r.contains("error")) << r;
  std::string message = r["error"]["message"];
  EXPECT_NE(message.find("lowvisor.elf is missing"), std::string::npos) << r;
  EXPECT_TRUE(c.call("vhv.list")["result"].empty());
}

TEST_F(VhvTest, StuckHighvisorIsKilledAfterTheGracePeriod) {
  TestClient c(m_kernel->socket_path());
  json info = create(c, {{"name", "stuck"}});
  ASSERT_FALSE(info.is_null());
  pid_t pid = info["pid"].get<pid_t>();
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.call("vhv.destroy", {{"vhv", "stuck"}}).contains("result"));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(2900));
  EXPECT_LT(took, std::chrono::milliseconds(8000));
  EXPECT_FALSE(process_alive(pid));
  EXPECT_TRUE(c.call("vhv.list")["result"].empty());
}

TEST_F(VhvTest, SigtermDestroysAllVhvs) {
  TestClient c(m_kernel->socket_path());
  json a = create(c, {});
  ASSERT_FALSE(a.is_null());
  ASSERT_TRUE(run_guest(c, a["id"], "spin.elf").contains("result"));
  ::kill(m_kernel->pid(), SIGTERM);
  int status = m_kernel->wait_exit(10000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(process_alive(a["pid"].get<pid_t>()));
}

TEST_F(VhvTest, HelloGreetsOnItsConsole) {
  TestClient c(m_kernel->socket_path());
  json info = create(c, {{"ephemeral", true}});
  ASSERT_FALSE(info.is_null());
  ASSERT_TRUE(c.call("console.subscribe", {{"vhv", info["id"]}}).contains("result"));
  ASSERT_TRUE(run_guest(c, info["id"], "hello.elf", "greeting=1").contains("result"));
  std::string text = console_until(c, "bootargs:");
  EXPECT_NE(text.find("Hello from a nestlab guest!"), std::string::npos) << text;
}

std::string status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) {
      auto start = line.find_first_not_of(" \t", key.size() + 1);
      return start == std::string::npos ? "" : line.substr(start);
    }
  return "";
}

// The highvisor and its QEMU run jailed: no capabilities at all, no new
// privileges, and a root holding only what they need.
TEST_F(VhvTest, HighvisorAndQemuRunJailed) {
  TestClient c(m_kernel->socket_path());
  json info = create(c, {{"name", "jailed"}});
  ASSERT_FALSE(info.is_null());
  pid_t hv = info["pid"].get<pid_t>();
  std::ifstream children("/proc/" + std::to_string(hv) + "/task/" + std::to_string(hv) +
                         "/children");
  pid_t qemu = 0;
  children >> qemu;
  ASSERT_GT(qemu, 0) << "the highvisor has no child";
  EXPECT_NE(
      std::filesystem::read_symlink("/proc/" + std::to_string(qemu) + "/exe").string().find("qemu"),
      std::string::npos);
  for (pid_t pid : {hv, qemu}) {
    EXPECT_EQ(status_field(pid, "CapEff"), "0000000000000000") << pid;
    EXPECT_EQ(status_field(pid, "CapPrm"), "0000000000000000") << pid;
    EXPECT_EQ(status_field(pid, "CapBnd"), "0000000000000000") << pid;
    EXPECT_EQ(status_field(pid, "NoNewPrivs"), "1") << pid;
    EXPECT_EQ(status_field(pid, "Seccomp"), "2") << pid << " has no seccomp filter";
    std::string root = "/proc/" + std::to_string(pid) + "/root";
    EXPECT_NE(::access((root + "/etc/passwd").c_str(), F_OK), 0) << "host files in the jail";
    EXPECT_EQ(::access((root + "/dev/null").c_str(), F_OK), 0);
    EXPECT_EQ(::access((root + "/proc/1/status").c_str(), F_OK), 0) << "no /proc of its own";
  }
  // QEMU has ours and its own -sandbox filter.
  EXPECT_GE(std::stoi("0" + status_field(qemu, "Seccomp_filters")), 2);
  // The jail still runs guests.
  ASSERT_TRUE(c.call("events.subscribe").contains("result"));
  ASSERT_TRUE(run_guest(c, "jailed", "exitcode.elf", "exit=5").contains("result"));
  EXPECT_EQ(next_event(c, "vm-exit")["params"]["code"], 5);
}

// The VHV's resource group through the API: a spinning guest uses CPU, QEMU
// holds memory below the limit the kernel set, the userworld has a few PIDs.
TEST_F(VhvTest, StatsReportTheCgroupsUsage) {
  TestClient c(m_kernel->socket_path());
  json info = create(c, {{"name", "busy"}, {"mem", 64 << 20}});
  ASSERT_FALSE(info.is_null());
  json idle = c.call("vhv.stats", {{"vhv", "busy"}});
  ASSERT_TRUE(idle.contains("result")) << idle;
  if (info["limits"] != "cgroup") {
    EXPECT_TRUE(idle["result"]["usage"].is_null()) << idle;
    GTEST_SKIP() << "no cgroup here: " << idle;
  }
  ASSERT_TRUE(c.call("console.subscribe", {{"vhv", "busy"}}).contains("result"));
  ASSERT_TRUE(run_guest(c, "busy", "spin.elf").contains("result"));
  console_until(c, "spinning");
  ::usleep(300000);
  json stats = c.call("vhv.stats", {{"vhv", "busy"}});
  ASSERT_TRUE(stats.contains("result")) << stats;
  json u = stats["result"]["usage"];
  EXPECT_EQ(stats["result"]["cgroup"], info["cgroup"]);
  EXPECT_GT(u["cpu_ns"].get<uint64_t>(),
            idle["result"]["usage"]["cpu_ns"].get<uint64_t>() + 100000000)
      << "a spinning guest for 300 ms used less than 100 ms of CPU: " << stats;
  EXPECT_GT(u["memory"]["current"].get<uint64_t>(), 1u << 20) << stats;
  EXPECT_GE(u["memory"]["peak"].get<uint64_t>(), u["memory"]["current"].get<uint64_t>());
  EXPECT_GT(u["memory"]["limit"].get<uint64_t>(), 64u << 20) << stats;
  EXPECT_GE(u["pids"]["current"].get<uint64_t>(), 2u) << stats;  // highvisor + QEMU threads
  EXPECT_EQ(u["pids"]["limit"], 256) << stats;
  json missing = c.call("vhv.stats", {{"vhv", "nope"}});
  EXPECT_EQ(missing["error"]["data"]["code"], "not-found") << missing;
}

// A real violation: the highvisor's allowlist made stricter by one call it
// makes when it stages an image. The kernel names the call.
TEST_F(VhvTest, HighvisorSeccompViolationIsReported) {
  start_kernel({{"NESTLAB_SECCOMP_DENY", "highvisor:pread64"}});
  TestClient c(m_kernel->socket_path());
  ASSERT_TRUE(c.call("events.subscribe").contains("result"));
  json info = create(c, {{"name", "strict"}});
  ASSERT_FALSE(info.is_null());
  json run = run_guest(c, "strict", "hello.elf");
  ASSERT_TRUE(run.contains("error")) << run;
  EXPECT_EQ(run["error"]["message"], "killed: seccomp violation: pread64") << run;
  json violation = next_event(c, "seccomp-violation");
  EXPECT_EQ(violation["params"]["process"], "highvisor") << violation;
  EXPECT_EQ(violation["params"]["syscall"], "pread64") << violation;
  json inspect = c.call("vhv.inspect", {{"vhv", "strict"}});
  EXPECT_EQ(inspect["result"]["state"], "failed") << inspect;
  EXPECT_EQ(inspect["result"]["message"], "killed: seccomp violation: pread64") << inspect;
}

// The same for QEMU: ppoll, which it calls as soon as its main loop runs.
TEST_F(VhvTest, QemuSeccompViolationIsReported) {
  start_kernel({{"NESTLAB_SECCOMP_DENY", "qemu:ppoll"}});
  TestClient c(m_kernel->socket_path());
  ASSERT_TRUE(c.call("events.subscribe").contains("result"));
  json r = c.call("vhv.create", {{"name", "strictq"}}, {}, 30000);
  ASSERT_TRUE(r.contains("error")) << r;
  EXPECT_NE(r["error"]["message"].get<std::string>().find("QEMU killed: seccomp violation: ppoll"),
            std::string::npos)
      << r;
  json violation = next_event(c, "seccomp-violation");
  EXPECT_EQ(violation["params"]["process"], "qemu") << violation;
  EXPECT_EQ(violation["params"]["syscall"], "ppoll") << violation;
}

}  // namespace
}  // namespace nestlab::kernel::test
