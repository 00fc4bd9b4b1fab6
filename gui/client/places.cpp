#include "gui/client/places.h"

#include "base/places.h"

#include <QCoreApplication>
#include <QDir>

namespace nestlab::gui {

QString default_socket_path() { return QString::fromStdString(nestlab::default_socket_path()); }

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
