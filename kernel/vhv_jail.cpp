#include "kernel/vhv_jail.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <sstream>

namespace nestlab::kernel {
namespace {

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::string parent_dir(const std::string& path) { return path.substr(0, path.rfind('/')); }

}  // namespace

std::string qemu_path() {
  const char* env = std::getenv("NESTLAB_QEMU");
  std::string name = env && *env ? env : "qemu-system-aarch64";
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return "";
}

HostResult<std::unique_ptr<userworld::JailLayout>> vhv_jail(const std::string& root,
                                                            const std::string& vhv_path) {
  if (::mkdir(root.c_str(), 0755) < 0 && errno != EEXIST)
    return errno_error("cannot make the jail mount point " + root);
  auto jail = std::make_unique<userworld::JailLayout>(root);
  std::string vhv = real_path(vhv_path);
  TRY(jail->add_executable(vhv));
  // A missing QEMU is the highvisor's to report ("cannot execute QEMU").
  std::string qemu = qemu_path();
  if (!qemu.empty() && ::access(qemu.c_str(), X_OK) == 0) TRY(jail->add_executable(qemu));
  const char* share_env = std::getenv("NESTLAB_SHARE_DIR");
  std::string share = share_env && *share_env ? std::string(share_env)
                                              : parent_dir(parent_dir(vhv)) + "/share/nestlab";
  // Missing: the highvisor says so ("lowvisor image ... is missing").
  jail->add_optional(share + "/lowvisor.elf");
  jail->add_optional("/etc/ld.so.cache");
  for (const char* dev : {"/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"})
    jail->add_optional(dev);
  return jail;
}

}  // namespace nestlab::kernel
