// nestlab-gui: the Qt 6 management console of nestlab. It talks to nestlabd
// only through the client API (docs/protocols.md, section 1).
#include <QApplication>
#include <QCommandLineParser>

#include "gui/client/places.h"
#include "gui/client/session.h"
#include "gui/views/main_window.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("nestlab"));
  QApplication::setApplicationName(QStringLiteral("nestlab-gui"));
  QApplication::setApplicationVersion(QStringLiteral(NESTLAB_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("nestlab management console"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption socket_option(
      QStringLiteral("socket"),
      QStringLiteral("Connect to nestlabd at PATH (default: NESTLAB_SOCKET, else the system or "
                     "session socket)."),
      QStringLiteral("PATH"));
  parser.addOption(socket_option);
  parser.process(app);

  const QString socket_path = parser.isSet(socket_option) ? parser.value(socket_option)
                                                          : nestlab::gui::default_socket_path();
  nestlab::gui::Session session(socket_path);
  nestlab::gui::MainWindow window(&session, nestlab::gui::share_dir() + QStringLiteral("/guests"));
  window.show();
  session.connection()->start();
  return app.exec();
}
