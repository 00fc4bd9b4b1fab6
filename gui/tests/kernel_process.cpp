#include "gui/tests/kernel_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <cstring>

namespace nestlab::gui::test {

namespace {

bool accepts_connections(const QString& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const QByteArray encoded = QFile::encodeName(path);
  if (static_cast<size_t>(encoded.size()) >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, encoded.constData(), encoded.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

QString build_dir() { return qEnvironmentVariable("NESTLAB_BUILD_DIR"); }

}  // namespace

Found find_kernel() {
  QStringList tried;
  if (!build_dir().isEmpty()) tried << build_dir() + QStringLiteral("/bin/nestlabd");
  tried << QCoreApplication::applicationDirPath() + QStringLiteral("/nestlabd");
  for (const QString& path : tried)
    if (QFileInfo(path).isExecutable()) return {path, {}};
  return {{},
          QStringLiteral("nestlabd is not built (looked for %1)")
              .arg(tried.join(QStringLiteral(", ")))};
}

Found find_cli() {
  QStringList tried;
  if (!build_dir().isEmpty()) tried << build_dir() + QStringLiteral("/bin/nestlab");
  tried << QCoreApplication::applicationDirPath() + QStringLiteral("/nestlab");
  for (const QString& path : tried)
    if (QFileInfo(path).isExecutable()) return {path, {}};
  return {{},
          QStringLiteral("the nestlab CLI is not built (looked for %1)")
              .arg(tried.join(QStringLiteral(", ")))};
}

Found find_shared(const QString& relative_path) {
  QStringList dirs;
  if (const QString d = qEnvironmentVariable("NESTLAB_SHARE_DIR"); !d.isEmpty()) dirs << d;
  if (!build_dir().isEmpty()) dirs << build_dir() + QStringLiteral("/share/nestlab");
  dirs << QCoreApplication::applicationDirPath() + QStringLiteral("/../share/nestlab");
  QStringList tried;
  for (const QString& dir : dirs) {
    const QString path = QFileInfo(dir + '/' + relative_path).absoluteFilePath();
    if (QFileInfo(path).isFile()) return {path, {}};
    tried << path;
  }
  return {{},
          QStringLiteral("%1 is not built (looked for %2)")
              .arg(relative_path, tried.join(QStringLiteral(", ")))};
}

QString missing_for_kernel_tests(bool needs_guests) {
  QStringList missing;
  if (const Found k = find_kernel(); k.path.isEmpty()) missing << k.why;
  if (needs_guests) {
    for (const char* file : {"lowvisor.elf", "guests/demo.elf"})
      if (const Found f = find_shared(QString::fromLatin1(file)); f.path.isEmpty())
        missing << f.why;
  }
  return missing.join(QStringLiteral("; "));
}

KernelProcess::~KernelProcess() { stop(); }

QString KernelProcess::socket_path() const {
  return m_dir ? m_dir->filePath(QStringLiteral("nestlab.sock")) : QString();
}

bool KernelProcess::running() const {
  return m_process && m_process->state() != QProcess::NotRunning;
}

QString KernelProcess::log() const {
  return m_process ? QString::fromLocal8Bit(m_process->readAllStandardOutput()) : QString();
}

bool KernelProcess::start(const QString& kernel_path, int timeout_ms) {
  // Short: socket paths are limited to 107 bytes. A restart reuses the
  // directory, so the socket path stays the same.
  if (!m_dir) m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/nlgui-XXXXXX"));
  if (!m_dir->isValid()) {
    m_error = QStringLiteral("cannot create a temporary directory: %1").arg(m_dir->errorString());
    return false;
  }
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("NESTLAB_SOCKET"), socket_path());
  env.insert(QStringLiteral("NESTLAB_STATE_DIR"), m_dir->filePath(QStringLiteral("state")));
  // The kernel's VHVs must live in their own cgroup subtree so that two
  // tests (or a test and a system kernel) do not meet.
  env.insert(QStringLiteral("NESTLAB_CGROUP_PARENT"), cgroup_parent());
  m_process = std::make_unique<QProcess>();
  m_process->setProcessEnvironment(env);
  // If the test crashes, the kernel (and with it its VHVs) goes too.
  m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
  m_process->setProcessChannelMode(QProcess::MergedChannels);
  m_process->start(kernel_path, {QStringLiteral("--foreground")});
  if (!m_process->waitForStarted(5000)) {
    m_error = QStringLiteral("cannot start %1: %2").arg(kernel_path, m_process->errorString());
    return false;
  }
  QDeadlineTimer deadline(timeout_ms);
  while (!accepts_connections(socket_path())) {
    if (m_process->state() == QProcess::NotRunning) {
      m_error = QStringLiteral("nestlabd exited with status %1 before listening:\n%2")
                    .arg(m_process->exitCode())
                    .arg(log());
      return false;
    }
    if (deadline.hasExpired()) {
      m_error = QStringLiteral("nestlabd did not listen on %1 within %2 ms:\n%3")
                    .arg(socket_path())
                    .arg(timeout_ms)
                    .arg(log());
      return false;
    }
    m_process->waitForReadyRead(50);
  }
  return true;
}

QString KernelProcess::cgroup_parent() {
  return QStringLiteral("nestlab-guitest-%1").arg(QCoreApplication::applicationPid());
}

void KernelProcess::stop() {
  if (!running()) return;
  m_process->terminate();
  if (!m_process->waitForFinished(15000)) {
    m_process->kill();
    m_process->waitForFinished(5000);
  }
  // The kernel removes its VHVs' cgroups but leaves their (now empty)
  // parent; rmdir only succeeds on empty cgroups, so this cannot hurt.
  const QString parent = cgroup_parent();
  QDir root(QStringLiteral("/sys/fs/cgroup"));
  root.rmdir(parent);
  for (const QString& controller : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
    QDir(root.filePath(controller)).rmdir(parent);
}

}  // namespace nestlab::gui::test
