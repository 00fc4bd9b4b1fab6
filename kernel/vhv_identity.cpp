#include "kernel/vhv_identity.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace nestlab::kernel {
namespace {

// One lock for every nestlabd on the host, whatever its state directory.
constexpr const char* kLockPath = "/run/nestlab-vhv-uids.lock";

bool parse_number(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 12) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  out = std::strtoull(text.c_str(), nullptr, 10);
  return true;
}

// Whether the user or group database names `id` (a uid someone else uses).
bool named(uid_t id) {
  char buf[16384];
  passwd pw{};
  passwd* found_user = nullptr;
  group gr{};
  group* found_group = nullptr;
  ::getpwuid_r(id, &pw, buf, sizeof buf, &found_user);
  if (found_user) return true;
  ::getgrgid_r(id, &gr, buf, sizeof buf, &found_group);
  return found_group != nullptr;
}

}  // namespace

HostResult<UidRange> parse_uid_range(const std::string& text) {
  auto colon = text.find(':');
  uint64_t base = 0, count = 0;
  if (colon == std::string::npos || !parse_number(text.substr(0, colon), base) ||
      !parse_number(text.substr(colon + 1), count) || base < 1000 || count < 1 ||
      base + count > (1ull << 31))
    return make_error(ErrorCode::InvalidArgument,
                      "bad VHV uid range \"" + text +
                          "\": give BASE:COUNT in decimal, BASE at least 1000 and the whole "
                          "range below 2147483648 (default " +
                          std::to_string(kDefaultVhvUids.base) + ":" +
                          std::to_string(kDefaultVhvUids.count) + ")");
  return UidRange{static_cast<uid_t>(base), static_cast<uint32_t>(count)};
}

std::set<uid_t> host_uids_in_use() {
  std::set<uid_t> ids;
  DIR* proc = ::opendir("/proc");
  if (!proc) return ids;
  while (dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream status(std::string("/proc/") + e->d_name + "/status");
    for (std::string line; std::getline(status, line);) {
      bool uid = line.rfind("Uid:", 0) == 0, gid = line.rfind("Gid:", 0) == 0;
      if (!uid && !gid) continue;
      std::istringstream words(line.substr(4));
      for (uint64_t v; words >> v;) ids.insert(static_cast<uid_t>(v));
      if (gid) break;  // Gid follows Uid
    }
  }
  ::closedir(proc);
  return ids;
}

HostResult<uid_t> choose_vhv_uid(const UidRange& range, uint64_t id_number,
                                 const std::set<uid_t>& running) {
  for (uint64_t i = 0; i < range.count; ++i) {
    uid_t candidate = range.base + static_cast<uid_t>((id_number + i) % range.count);
    if (!running.count(candidate) && !named(candidate)) return candidate;
  }
  return make_error(ErrorCode::Unavailable,
                    "no free uid for a VHV in " + std::to_string(range.base) + ".." +
                        std::to_string(range.base + range.count - 1) +
                        " (each running VHV has one; widen it with --vhv-uids)");
}

HostResult<VhvIdentity> allocate_vhv_identity(const UidRange& range, const std::string& vhv_id) {
  VhvIdentity identity;
  identity.lock.reset(::open(kLockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!identity.lock) return errno_error(std::string("cannot open ") + kLockPath);
  while (::flock(identity.lock.get(), LOCK_EX) < 0)
    if (errno != EINTR) return errno_error(std::string("cannot lock ") + kLockPath);
  uint64_t number = 0;
  (void)std::sscanf(vhv_id.c_str(), "vhv-%lu", &number);
  uid_t uid = TRY(choose_vhv_uid(range, number, host_uids_in_use()));
  identity.ids = {uid, uid};
  return identity;
}

}  // namespace nestlab::kernel
