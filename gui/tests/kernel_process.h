// A private nestlabd for one test: its own socket and state directory in a
// temporary directory, stopped (SIGTERM, then SIGKILL) when the object goes.
// Tests that need it QSKIP with find_kernel()'s reason when it is not built.
#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace nestlab::gui::test {

struct Found {
  QString path;  // Empty when not found; then `why` says where we looked.
  QString why;
};

// nestlabd from $NESTLAB_BUILD_DIR/bin, else beside the test executable.
Found find_kernel();
// The nestlab CLI, found like nestlabd.
Found find_cli();
// A file in share/nestlab: $NESTLAB_SHARE_DIR, else $NESTLAB_BUILD_DIR/share/nestlab,
// else ../share/nestlab beside the test executable.
Found find_shared(const QString& relative_path);

// Exit status of a test program none of whose real checks could run (ctest
// SKIP_RETURN_CODE), so a missing nestlabd shows as "Not Run", never as a pass.
constexpr int kSkipExitCode = 77;

// What the kernel tests need that is not built; empty when all is there.
QString missing_for_kernel_tests(bool needs_guests);

class KernelProcess {
 public:
  KernelProcess() = default;
  ~KernelProcess();
  KernelProcess(const KernelProcess&) = delete;
  KernelProcess& operator=(const KernelProcess&) = delete;

  // Starts `kernel_path` and waits (bounded) until its socket accepts
  // connections. On failure returns false and fills error(). After stop(),
  // start() again serves the same socket path and state directory.
  bool start(const QString& kernel_path, int timeout_ms = 15000);
  // SIGTERM, bounded wait, then SIGKILL.
  void stop();

  QString socket_path() const;
  // Where this test's kernel puts its VHVs' cgroups: unique per test process,
  // so parallel tests (whose VHVs are all called vhv-1) never meet.
  static QString cgroup_parent();
  QString error() const { return m_error; }
  QString log() const;
  bool running() const;

 private:
  std::unique_ptr<QTemporaryDir> m_dir;
  std::unique_ptr<QProcess> m_process;
  QString m_error;
};

}  // namespace nestlab::gui::test
