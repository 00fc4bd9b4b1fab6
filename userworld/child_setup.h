// What the new process does inside its namespaces before exec. Runs between
// clone and exec: only system calls, no allocation, and every failure is
// reported through report_fd as "step: strerror" before _exit.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "userworld/jail.h"

namespace nestlab::userworld {

struct ChildPlan {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* hostname;
  const int* fd_sources;  // dup'ed onto fd_targets, in order
  const int* fd_targets;
  int fd_count;
  int sync_fd;             // read one byte: parent finished uid maps and cgroup placement
  int report_fd;           // CLOEXEC; error text written here, EOF on successful exec
  const JailPlan* jail;    // null: keep the host's root (tests of the bare namespaces)
  uint64_t open_files;     // RLIMIT_NOFILE
  uint64_t address_space;  // RLIMIT_AS; 0: unlimited
  uint64_t processes;      // RLIMIT_NPROC; 0: unlimited
  bool switch_identity;    // become uid/gid below before exec
  uid_t uid;
  gid_t gid;
};

[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace nestlab::userworld
