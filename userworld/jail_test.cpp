// The jail from inside: a shell (with the few tools it needs bound in, as
// the highvisor and QEMU are bound in for real VHVs) probes what it can see
// and do. Each check is something an escaped guest would try first.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <sstream>

#include "userworld/spawn.h"
#include "userworld/test_support.h"

namespace nestlab::userworld {
namespace {

constexpr const char* kJailProbe = R"SH(
echo "root=$(ls -A / | tr '\n' ' ')" >&3
echo "passwd=$(cat /etc/passwd 2>&1 | head -c 60)" >&3
status() { while read -r k v; do [ "$k" = "$1:" ] && echo "$v"; done < /proc/self/status; }
echo "capeff=$(status CapEff)" >&3
echo "capbnd=$(status CapBnd)" >&3
echo "capprm=$(status CapPrm)" >&3
echo "nnp=$(status NoNewPrivs)" >&3
mount -t tmpfs none /tmp 2>/dev/null; echo "mount=$?" >&3
echo x 2>/dev/null > /usr/jail-write; echo "write_usr=$?" >&3
echo x > /tmp/ok && echo "write_tmp=$(cat /tmp/ok)" >&3
echo "core=$(ulimit -c)" >&3
echo "nofile=$(ulimit -n)" >&3
echo "procs=$(ls /proc | grep -c '^[0-9]')" >&3
echo "done=1" >&3
)SH";

std::map<std::string, std::string> run_in_jail(std::string* error) {
  std::map<std::string, std::string> values;
  char dir_template[] = "/tmp/nestlab-jail-test-XXXXXX";
  std::string root = ::mkdtemp(dir_template);
  JailLayout jail(root);
  for (const char* tool :
       {"/bin/sh", "/bin/ls", "/bin/cat", "/bin/grep", "/bin/tr", "/bin/head", "/bin/mount"}) {
    auto added = jail.add_executable(tool);
    if (added.is_error()) {
      *error = added.error().message;
      return values;
    }
  }
  jail.add_optional("/dev/null");
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return values;
  UniqueFd rd(p[0]), wr(p[1]);
  SpawnSpec spec{"/bin/sh", {"sh", "-c", kJailProbe}, {{wr.get(), 3}}, "jailed"};
  spec.jail = &jail;
  spec.open_files = 256;
  auto child = spawn(spec);
  wr.reset();
  if (child.is_error()) {
    *error = child.error().message;
    ::rmdir(root.c_str());
    return values;
  }
  Child c = child.release_value();
  const std::string out = test_support::read_for(rd.get(), std::chrono::seconds(10));
  kill_and_reap(c);
  ::rmdir(root.c_str());
  values = test_support::key_values(out);
  return values;
}

TEST(Jail, SeesOnlyWhatWasBoundAndCannotChangeIt) {
  std::string error;
  auto v = run_in_jail(&error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(v["done"], "1") << "the probe did not finish";
  // Only the merged-/usr links, the bound trees, /dev, /proc and /tmp.
  std::istringstream root(v["root"]);
  for (std::string entry; root >> entry;) {
    bool expected = entry == "usr" || entry == "dev" || entry == "proc" || entry == "tmp" ||
                    entry == "bin" || entry == "sbin" || entry.rfind("lib", 0) == 0 ||
                    entry == "etc";
    EXPECT_TRUE(expected) << "unexpected /" << entry << " in the jail: " << v["root"];
  }
  EXPECT_NE(v["passwd"].find("No such file"), std::string::npos) << v["passwd"];
  EXPECT_EQ(v["capeff"], "0000000000000000");
  EXPECT_EQ(v["capprm"], "0000000000000000");
  EXPECT_EQ(v["capbnd"], "0000000000000000");
  EXPECT_EQ(v["nnp"], "1");
  EXPECT_NE(v["mount"], "0") << "mount worked inside the jail";
  EXPECT_NE(v["write_usr"], "0") << "a bound path is writable";
  EXPECT_EQ(v["write_tmp"], "x") << "the private /tmp is not writable";
  EXPECT_EQ(v["core"], "0");
  EXPECT_EQ(v["nofile"], "256");
  EXPECT_LT(std::stoi(v["procs"].empty() ? "999" : v["procs"]), 8);
}

// What a compromised QEMU would try first, from a jail as a root nestlabd
// builds it: with the VHV's own uid, and the /proc the jail mounts.
std::map<std::string, std::string> run_probe_in_jail(std::optional<HostIdentity> identity,
                                                     std::string* error) {
  std::map<std::string, std::string> values;
  char dir_template[] = "/tmp/nestlab-jail-test-XXXXXX";
  std::string root = ::mkdtemp(dir_template);
  JailLayout jail(root);
  if (auto added = jail.add_executable(NESTLAB_JAIL_PROBE); added.is_error()) {
    *error = added.error().message;
    return values;
  }
  jail.add_optional("/dev/null");
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return values;
  UniqueFd rd(p[0]), wr(p[1]);
  SpawnSpec spec{NESTLAB_JAIL_PROBE, {"jail_probe"}, {{wr.get(), 3}}, "jailed"};
  spec.jail = &jail;
  spec.identity = identity;
  auto child = spawn(spec);
  wr.reset();
  if (child.is_error()) {
    *error = child.error().message;
    ::rmdir(root.c_str());
    return values;
  }
  Child c = child.release_value();
  const std::string out = test_support::read_for(rd.get(), std::chrono::seconds(10));
  kill_and_reap(c);
  ::rmdir(root.c_str());
  values = test_support::key_values(out);
  return values;
}

TEST(Jail, HostRootIsOutOfReachFromASystemModeJail) {
  if (::geteuid() != 0) GTEST_SKIP() << "a host identity needs a root nestlabd";
  constexpr uid_t kUid = 0x70000000 + 4093;  // in nestlab's default VHV range
  std::string error;
  auto v = run_probe_in_jail(HostIdentity{kUid, kUid}, &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(v["done"], "1") << "the probe did not finish";
  EXPECT_EQ(v["uid"], std::to_string(kUid) + "," + std::to_string(kUid));
  EXPECT_EQ(v["gid"], std::to_string(kUid) + "," + std::to_string(kUid));
  EXPECT_EQ(v["groups"], "0") << "root's supplementary groups stayed";
  for (const char* what :
       {"write:/proc/sys/kernel/core_pattern", "write:/proc/sysrq-trigger",
        "write:/proc/sys/vm/drop_caches", "write:/sys/kernel/mm/transparent_hugepage/enabled",
        "write:/dev/kmsg", "write:/dev/mem", "mount:sysfs", "mount:proc", "mknod"}) {
    ASSERT_TRUE(v.count(what)) << what;
    EXPECT_EQ(v[what].rfind("refused", 0), 0u) << what << ": " << v[what];
  }
  // Its own process files are there; the system-wide ones are not.
  EXPECT_EQ(v["proc-entries"], "100");
}

TEST(Jail, ProcHasNoSystemFilesEvenForUidZero) {
  // --no-jail aside, a jail is never without the subset=pid /proc: a
  // session-mode jail is uid 0 of its user namespace.
  std::string error;
  auto v = run_probe_in_jail(std::nullopt, &error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(v["done"], "1") << "the probe did not finish";
  EXPECT_EQ(v["proc-entries"], "100");
  EXPECT_EQ(v["write:/proc/sys/kernel/core_pattern"].rfind("refused", 0), 0u);
  EXPECT_EQ(v["write:/proc/sysrq-trigger"].rfind("refused", 0), 0u);
}

}  // namespace
}  // namespace nestlab::userworld
