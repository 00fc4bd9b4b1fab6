#include "userworld/socket_holders.h"

#include <dirent.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <map>
#include <sstream>

namespace nestlab::userworld {
namespace {

constexpr unsigned long kAcceptConnections = 0x10000;  // __SO_ACCEPTCON in /proc/net/unix Flags

// Listening sockets below `dir`: socket inode -> bound path.
std::map<unsigned long, std::string> listeners_below(const std::string& dir) {
  std::map<unsigned long, std::string> found;
  std::ifstream in("/proc/net/unix");
  std::string line;
  std::getline(in, line);  // Num RefCount Protocol Flags Type St Inode Path
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string num, refs, protocol, flags, type, state;
    unsigned long inode = 0;
    if (!(fields >> num >> refs >> protocol >> flags >> type >> state >> inode)) continue;
    std::string path;
    std::getline(fields >> std::ws, path);
    if (path.rfind(dir + "/", 0) != 0) continue;
    if (!(std::stoul(flags, nullptr, 16) & kAcceptConnections)) continue;
    found[inode] = path;
  }
  return found;
}

}  // namespace

std::vector<SocketHolder> listening_socket_holders(const std::string& dir) {
  std::vector<SocketHolder> holders;
  auto listeners = listeners_below(dir);
  if (listeners.empty()) return holders;
  DIR* proc = ::opendir("/proc");
  if (!proc) return holders;
  pid_t self = ::getpid();
  while (dirent* p = ::readdir(proc)) {
    if (p->d_name[0] < '1' || p->d_name[0] > '9') continue;
    pid_t pid = static_cast<pid_t>(std::strtol(p->d_name, nullptr, 10));
    if (pid == self) continue;
    std::string fd_dir = std::string("/proc/") + p->d_name + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (!fds) continue;
    while (dirent* f = ::readdir(fds)) {
      if (f->d_name[0] == '.') continue;
      char target[PATH_MAX];
      ssize_t n = ::readlink((fd_dir + "/" + f->d_name).c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      std::string link(target, static_cast<size_t>(n));
      if (link.rfind("socket:[", 0) != 0) continue;
      unsigned long inode = std::strtoul(link.c_str() + 8, nullptr, 10);
      auto it = listeners.find(inode);
      if (it != listeners.end()) holders.push_back({it->second, pid});
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return holders;
}

}  // namespace nestlab::userworld
