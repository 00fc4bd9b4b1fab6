// What the new process does inside its namespaces before exec. Runs between
// clone and exec: only system calls, no allocation, and every failure is
// reported through report_fd as "step: strerror" before _exit.
#pragma once

#include <sys/types.h>

namespace nestlab::userworld {

struct ChildPlan {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* hostname;
  const int* fd_sources;  // dup'ed onto fd_targets, in order
  const int* fd_targets;
  int fd_count;
  int sync_fd;    // read one byte: parent finished uid maps and cgroup placement
  int report_fd;  // CLOEXEC; error text written here, EOF on successful exec
};

[[noreturn]] void run_child(const ChildPlan& plan);

}  // namespace nestlab::userworld
