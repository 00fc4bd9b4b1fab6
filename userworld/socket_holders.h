// Finding the processes that hold a listening Unix socket bound below a
// directory, from /proc/net/unix (the sockets of this network namespace,
// with the path each was bound to even if its file was removed since) and
// /proc/PID/fd (which processes hold which socket inode). A restarted
// nestlabd uses it to find every highvisor an earlier one started — each
// holds the listening control socket <state>/vhvs/<id>/control.sock — even
// when the record that named it is damaged or gone.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace nestlab::userworld {

struct SocketHolder {
  std::string path;  // where the socket was bound
  pid_t pid;         // a process holding it (host PID)
};

// Every (socket, process) pair for listening sockets bound at a path that
// starts with `dir` + "/". Processes of other network namespaces see their
// own /proc/net/unix; the sockets nestlabd made are in its own.
std::vector<SocketHolder> listening_socket_holders(const std::string& dir);

}  // namespace nestlab::userworld
