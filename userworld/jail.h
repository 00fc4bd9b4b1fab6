// The minimal root a userworld sees (DESIGN.md S5; in the spirit of
// Firecracker's jailer): a private tmpfs holding read-only bind mounts of
// exactly the files the highvisor and QEMU need — their executables, the
// shared libraries ldd names for them, the lowvisor image — plus /dev/null,
// /dev/zero, /dev/urandom, a fresh /proc and a private /tmp. Every file
// appears at its host path, so /proc/self/exe and the share directory
// resolve inside the jail as they do outside.
//
// JailLayout is built in the parent (it allocates, runs ldd, stats files);
// JailPlan is its flat, allocation-free view that the child walks between
// clone and exec (jail_enter.cpp).
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace nestlab::userworld {

struct JailBind {
  const char* source;   // host path, symlinks resolved
  const char* target;   // absolute path under the jail's mount point
  unsigned long flags;  // the source mount's locked flags (nosuid, nodev, ...)
  bool directory;
};

struct JailSymlink {
  const char* link_target;  // what the link says, e.g. "usr/lib"
  const char* path;         // absolute path under the jail's mount point
};

struct JailPlan {
  const char* root;      // an empty host directory the tmpfs is mounted on
  const char* proc_dir;  // root + "/proc": a fresh procfs of the PID namespace
  const char* tmp_dir;   // root + "/tmp": a private, size-bounded tmpfs
  const char* const* dirs;
  int dir_count;
  const char* const* files;  // empty files to bind files onto
  int file_count;
  const JailSymlink* symlinks;
  int symlink_count;
  const JailBind* binds;
  int bind_count;
};

class JailLayout {
 public:
  // `root` is an existing, empty directory on the host; each userworld
  // mounts its own tmpfs there in its own mount namespace.
  explicit JailLayout(std::string root)
      : m_root(std::move(root)), m_proc_dir(m_root + "/proc"), m_tmp_dir(m_root + "/tmp") {}

  // An executable and every shared library it loads (per ldd).
  HostResult<void> add_executable(const std::string& path);
  // One file or directory, read-only at its host path. Missing is an error.
  HostResult<void> add_path(const std::string& path);
  // Like add_path, but a missing path is left out.
  void add_optional(const std::string& path);

  // The view the child uses; valid while this layout lives, unchanged.
  JailPlan plan();
  // Host paths bound into the jail (for tests and `vhv inspect`).
  std::vector<std::string> bound_paths() const;

 private:
  void add_dirs_for(const std::string& jail_path);
  void add_top_symlinks();

  struct Bind {
    std::string source, target;
    unsigned long flags;
    bool directory;
  };
  std::string m_root, m_proc_dir, m_tmp_dir;
  std::vector<std::string> m_dirs, m_files;  // full paths under m_root
  std::vector<std::pair<std::string, std::string>> m_symlinks;
  std::vector<Bind> m_binds;
  std::vector<std::string> m_sources;
  // Views for plan().
  std::vector<const char*> m_dir_ptrs, m_file_ptrs;
  std::vector<JailSymlink> m_symlink_view;
  std::vector<JailBind> m_bind_view;
  bool m_symlinks_added = false;
};

}  // namespace nestlab::userworld
