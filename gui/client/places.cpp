#include "gui/client/places.h"

#include <unistd.h>

#include <QCoreApplication>
#include <QDir>

namespace nestlab::gui {

QString default_socket_path() {
  const QString explicit_path = qEnvironmentVariable("NESTLAB_SOCKET");
  if (!explicit_path.isEmpty()) return explicit_path;
  if (::geteuid() == 0) return QStringLiteral("/run/nestlab/nestlab.sock");
  const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
  if (!runtime.isEmpty()) return runtime + QStringLiteral("/nestlab/nestlab.sock");
  return QStringLiteral("/tmp/nestlab-%1/nestlab.sock").arg(::getuid());
}

QString share_dir() {
  const QString explicit_dir = qEnvironmentVariable("NESTLAB_SHARE_DIR");
  if (!explicit_dir.isEmpty()) return explicit_dir;
  return QDir::cleanPath(QCoreApplication::applicationDirPath() +
                         QStringLiteral("/../share/nestlab"));
}

QString cli_path() {
  const QString explicit_path = qEnvironmentVariable("NESTLAB_CLI");
  if (!explicit_path.isEmpty()) return explicit_path;
  return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("nestlab"));
}

}  // namespace nestlab::gui
