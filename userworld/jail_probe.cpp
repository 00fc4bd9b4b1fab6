// jail_probe: a test helper run inside a real jail (userworld/jail_test.cpp)
// that tries what a compromised QEMU would try first to reach host root,
// and reports each outcome on fd 3 as "what=result" lines. Nothing is
// written anywhere: a file is only opened for writing and closed again, so
// a jail that failed to refuse changes nothing on the host.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace {

constexpr int kReportFd = 3;

void say(const std::string& what, const std::string& result) {
  std::string line = what + "=" + result + "\n";
  (void)!::write(kReportFd, line.data(), line.size());
}

std::string outcome(int ret) {
  if (ret >= 0) return "done";
  const char* name = strerrorname_np(errno);
  return std::string("refused ") + (name ? name : "?");
}

void try_open_for_write(const char* path) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  say(std::string("write:") + path, outcome(fd));
  if (fd >= 0) ::close(fd);
}

}  // namespace

int main() {
  say("uid", std::to_string(::getuid()) + "," + std::to_string(::geteuid()));
  say("gid", std::to_string(::getgid()) + "," + std::to_string(::getegid()));
  say("groups", std::to_string(::getgroups(0, nullptr)));
  // Host root from a uid-0 process without capabilities: these are owned
  // by root and writable by their owner.
  try_open_for_write("/proc/sys/kernel/core_pattern");
  try_open_for_write("/proc/sysrq-trigger");
  try_open_for_write("/proc/sys/vm/drop_caches");
  try_open_for_write("/sys/kernel/mm/transparent_hugepage/enabled");
  try_open_for_write("/dev/kmsg");
  try_open_for_write("/dev/mem");
  say("mount:sysfs", outcome(::mount("sysfs", "/tmp", "sysfs", 0, nullptr)));
  say("mount:proc", outcome(::mount("proc", "/tmp", "proc", 0, nullptr)));
  say("mknod", outcome(::mknod("/tmp/mem", S_IFCHR | 0600, ::makedev(1, 1))));
  say("proc-entries", std::to_string(::access("/proc/self/status", R_OK) == 0) +
                          std::to_string(::access("/proc/sys", F_OK) == 0) +
                          std::to_string(::access("/proc/sysrq-trigger", F_OK) == 0));
  say("done", "1");
  return 0;
}
