#include "vhv/host/qemu_process.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace nestlab::vhv {
namespace {

std::string after(const std::vector<std::string>& argv, const std::string& flag, int nth = 0) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag && nth-- == 0) return argv[i + 1];
  return {};
}

TEST(QemuProcess, CommandLineGivesAnEl2MachineBackedByTheSharedFd) {
  QemuConfig c{"qemu-system-aarch64", "/x/lowvisor.elf", 192ull << 20, 9, 1, "vhv-1"};
  auto argv = QemuProcess::build_argv(c, 3, 4, 5);
  EXPECT_EQ(argv[0], "qemu-system-aarch64");
  EXPECT_NE(after(argv, "-machine").find("virtualization=on"), std::string::npos);
  EXPECT_NE(after(argv, "-machine").find("gic-version=3"), std::string::npos);
  EXPECT_EQ(after(argv, "-m"), "192M");
  EXPECT_NE(after(argv, "-object").find("mem-path=/proc/self/fd/5,share=on"), std::string::npos);
  EXPECT_EQ(after(argv, "-kernel"), "/x/lowvisor.elf");
  EXPECT_EQ(after(argv, "-chardev", 0), "socket,id=channel,fd=3");
  EXPECT_EQ(after(argv, "-chardev", 1), "socket,id=qmp,fd=4");
}

TEST(QemuProcess, AHypervisorRunsAsOnPlainQemuPausedWithItsExceptionLog) {
  QemuConfig c{"qemu-system-aarch64", "", 128ull << 20, 9, 2, "vhv-2"};
  c.hypervisor = true;
  auto argv = QemuProcess::build_argv(c, 3, 4, 5);
  EXPECT_EQ(after(argv, "-machine"), "virt,virtualization=on,gic-version=3,memory-backend=vhvram");
  EXPECT_EQ(after(argv, "-cpu"), "cortex-a72");
  EXPECT_EQ(after(argv, "-m"), "128M");
  EXPECT_EQ(after(argv, "-smp"), "2");
  EXPECT_EQ(after(argv, "-kernel"), "/proc/self/fd/6");
  EXPECT_EQ(after(argv, "-d"), "int");
  EXPECT_EQ(after(argv, "-D"), "/proc/self/fd/7");
  for (const char* flag : {"-S", "-no-shutdown", "-no-reboot"})
    EXPECT_NE(std::find(argv.begin(), argv.end(), flag), argv.end()) << flag;
}

TEST(QemuProcess, MissingBinaryFailsAtQmpNotWithACrash) {
  QemuConfig c{"/nonexistent/qemu", "/x/lowvisor.elf", 66ull << 20, -1, 1, "t"};
  auto p = QemuProcess::spawn(c);
  ASSERT_TRUE(p.is_ok());  // fork succeeds; the child reports on stderr and exits 127
  char buf[256] = {};
  ssize_t n = read(p.value()->stderr_fd(), buf, sizeof buf - 1);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buf).find("cannot execute QEMU"), std::string::npos);
}

}  // namespace
}  // namespace nestlab::vhv
