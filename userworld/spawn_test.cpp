// The child of spawn() really is in its own namespaces, cgroup and fd table,
// as root and as an ordinary user.
#include "userworld/spawn.h"
#include "userworld/test_support.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>

namespace nestlab::userworld {
namespace {

constexpr const char* kProbe = R"SH(
echo "pid=$$" >&3
echo "host=$(cat /proc/sys/kernel/hostname)" >&3
for ns in pid mnt net uts ipc user; do echo "ns_$ns=$(readlink /proc/self/ns/$ns)" >&3; done
# ls lists this shell's fds from a subshell that does the redirection itself:
# a pipeline or a redirection here would hold temporary fds in this shell
# while ls looks, and they would look like leaked fds.
printf 'fds=' >&3; (ls -x -w 1000 /proc/$$/fd >&3)
echo "uid=$(id -u)" >&3
echo "cgroup=$(cat /proc/self/cgroup | tr '\n' ' ')" >&3
echo "netdevs=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')" >&3
echo "lo_up=$(ip -o link show lo 2>/dev/null | grep -c LOWER_UP)" >&3
echo "nnp=$(grep NoNewPrivs /proc/self/status | tr -dc 0-9)" >&3
echo "procs=$(ls /proc | grep -c '^[0-9]')" >&3
)SH";

struct Probe {
  std::map<std::string, std::string> values;
  std::string error;  // spawn error, if any
  std::string cgroup_error;
  LimitKind limits = LimitKind::RlimitsOnly;
  bool user_namespace = false;
};

std::string host_ns(const char* ns) {
  char buf[128] = {};
  std::string path = std::string("/proc/self/ns/") + ns;
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Runs the probe script in a userworld and collects what it printed on fd 3.
Probe run_probe(std::optional<CgroupSpec> cgroup, int leaked_fd) {
  Probe probe;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return probe;
  UniqueFd rd(p[0]), wr(p[1]);
  SpawnSpec spec{"/bin/sh", {"sh", "-c", kProbe}, {{wr.get(), 3}}, "probe-host", cgroup};
  (void)leaked_fd;
  auto child = spawn(spec);
  wr.reset();
  if (child.is_error()) {
    probe.error = child.error().message;
    return probe;
  }
  Child c = child.release_value();
  probe.cgroup_error = c.cgroup_error;
  probe.limits = c.limits;
  probe.user_namespace = c.user_namespace;
  const std::string out = test_support::read_for(rd.get(), std::chrono::seconds(10));
  kill_and_reap(c);
  probe.values = test_support::key_values(out);
  return probe;
}

void expect_isolated(const Probe& probe, bool user_ns) {
  ASSERT_EQ(probe.error, "");
  auto v = probe.values;
  EXPECT_EQ(v["pid"], "1");
  EXPECT_EQ(v["host"], "probe-host");
  for (const char* ns : {"pid", "mnt", "net", "uts", "ipc"})
    EXPECT_NE(v[std::string("ns_") + ns], host_ns(ns)) << ns << " namespace is the host's";
  if (user_ns)
    EXPECT_NE(v["ns_user"], host_ns("user"));
  else
    EXPECT_EQ(v["ns_user"], host_ns("user"));
  EXPECT_EQ(v["uid"], "0");
  EXPECT_EQ(v["netdevs"], "lo ");
  EXPECT_EQ(v["nnp"], "1");
  if (::access("/usr/sbin/ip", X_OK) == 0 || ::access("/usr/bin/ip", X_OK) == 0) {
    EXPECT_EQ(v["lo_up"], "1") << "loopback is not up";
  }
  // /proc is our own: sh and the few commands it is running right now.
  EXPECT_LT(std::stoi(v["procs"].empty() ? "999" : v["procs"]), 6);
}

TEST(Spawn, ChildIsInNewNamespaces) {
  Probe probe = run_probe(std::nullopt, -1);
  expect_isolated(probe, ::geteuid() != 0);
}

TEST(Spawn, OnlyGivenFdsAreOpen) {
  // An fd without CLOEXEC, as a careless library might leave one.
  UniqueFd leak(::open("/dev/null", O_RDONLY));
  ASSERT_TRUE(leak.valid());
  Probe probe = run_probe(std::nullopt, leak.get());
  ASSERT_EQ(probe.error, "");
  EXPECT_EQ(probe.values["fds"], "0  1  2  3");
}

TEST(Spawn, ChildIsInItsCgroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups needs root here";
  std::string path = "nestlab-test-" + std::to_string(::getpid()) + "/probe";
  Probe probe = run_probe(CgroupSpec{path, {256u << 20, 64}}, -1);
  ASSERT_EQ(probe.error, "");
  EXPECT_EQ(probe.limits, LimitKind::Cgroup) << probe.cgroup_error;
  EXPECT_NE(probe.values["cgroup"].find("memory:/" + path), std::string::npos)
      << probe.values["cgroup"];
  EXPECT_NE(probe.values["cgroup"].find("pids:/" + path), std::string::npos);
  ::rmdir(("/sys/fs/cgroup/memory/nestlab-test-" + std::to_string(::getpid())).c_str());
  for (const char* c : {"cpu", "cpuacct", "pids"})
    ::rmdir(("/sys/fs/cgroup/" + std::string(c) + "/nestlab-test-" + std::to_string(::getpid()))
                .c_str());
}

TEST(Spawn, BadExecutableIsReported) {
  auto child = spawn(SpawnSpec{"/nonexistent/prog", {"prog"}, {}, "x"});
  ASSERT_TRUE(child.is_error());
  EXPECT_NE(child.error().message.find("/nonexistent/prog"), std::string::npos)
      << child.error().message;
}

// As an ordinary user: a user namespace maps us to root inside; cgroups are
// not delegated, which spawn says instead of failing.
TEST(Spawn, WorksAsOrdinaryUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "already unprivileged; covered by the other tests";
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(p[0]);
    std::string report;
    if (::setgroups(0, nullptr) || ::setresgid(65534, 65534, 65534) ||
        ::setresuid(65534, 65534, 65534)) {
      report = "cannot become nobody";
    } else if (::prctl(PR_SET_DUMPABLE, 1) != 0) {
      // Dropping root made us non-dumpable, which a real user's process is
      // not; it would make the child's /proc/PID/uid_map root-owned.
      report = "cannot become dumpable";
    } else {
      Probe probe = run_probe(CgroupSpec{"nestlab-test-nobody/probe", {}}, -1);
      auto v = probe.values;
      if (!probe.error.empty())
        report = "spawn: " + probe.error;
      else if (!probe.user_namespace)
        report = "no user namespace";
      else if (v["pid"] != "1" || v["uid"] != "0" || v["host"] != "probe-host")
        report = "not isolated: pid=" + v["pid"] + " uid=" + v["uid"] + " host=" + v["host"];
      else if (v["ns_user"] == host_ns("user") || v["ns_net"] == host_ns("net"))
        report = "shares the host's user or net namespace";
      else if (probe.limits != LimitKind::RlimitsOnly || probe.cgroup_error.empty())
        report = "claims a cgroup as nobody";
      else if (v["fds"] != "0  1  2  3")
        report = "fds: " + v["fds"];
    }
    (void)!::write(p[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string report;
  char buf[512];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;)
    report.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(report, "");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Runs `script` with fd 3 as its report, under `spec`'s limits.
std::map<std::string, std::string> run_script(SpawnSpec spec, const char* script,
                                              std::string* error) {
  std::map<std::string, std::string> values;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return values;
  UniqueFd rd(p[0]), wr(p[1]);
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c", script};
  spec.fds = {{wr.get(), 3}};
  auto child = spawn(spec);
  wr.reset();
  if (child.is_error()) {
    *error = child.error().message;
    return values;
  }
  Child c = child.release_value();
  const std::string out = test_support::read_for(rd.get(), std::chrono::seconds(10));
  kill_and_reap(c);
  values = test_support::key_values(out);
  return values;
}

constexpr const char* kLimitsProbe =
    "echo \"as=$(ulimit -v)\" >&3; echo \"nproc=$(grep 'Max processes' /proc/self/limits | tr -s ' "
    "' | cut -d' ' -f3)\" >&3; "
    "echo \"nofile=$(ulimit -n)\" >&3; echo \"core=$(ulimit -c)\" >&3";

TEST(Spawn, WithoutACgroupRlimitsBoundMemoryAndTasks) {
  SpawnSpec spec;
  spec.hostname = "limits";
  spec.address_space = 1ull << 30;
  spec.processes = 64;
  spec.open_files = 512;
  std::string error;
  auto v = run_script(spec, kLimitsProbe, &error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(v["as"], "1048576");  // KiB
  EXPECT_EQ(v["nproc"], "64");
  EXPECT_EQ(v["nofile"], "512");
  EXPECT_EQ(v["core"], "0");
}

TEST(Spawn, AMemoryCgroupReplacesTheAddressSpaceLimit) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups needs root here";
  std::string parent = "nestlab-test-rl-" + std::to_string(::getpid());
  SpawnSpec spec;
  spec.hostname = "limits";
  spec.cgroup = CgroupSpec{parent + "/one", {256u << 20, 64}};
  spec.address_space = 1ull << 30;
  spec.processes = 64;
  std::string error;
  auto v = run_script(spec, kLimitsProbe, &error);
  for (const char* c : {"cpu", "cpuacct", "memory", "pids", "unified", ""})
    ::rmdir(("/sys/fs/cgroup/" + std::string(c) + "/" + parent).c_str());
  ASSERT_EQ(error, "");
  EXPECT_EQ(v["as"], "unlimited");
  EXPECT_EQ(v["nproc"], "64");  // per uid, whatever the cgroup says
}

}  // namespace
}  // namespace nestlab::userworld
