// The labs part of the main window: the Labs dock (LabsPanel over the
// session's LabClient), its menu and shortcuts, and where the runner's
// messages go.
#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>

#include "gui/client/session.h"
#include "gui/views/labs_panel.h"
#include "gui/views/main_window.h"

namespace nestlab::gui {

namespace {

// What Ctrl+L gives the labs panel at least, in pixels.
constexpr int kLabsDockHeight = 440;

}  // namespace

QDockWidget* MainWindow::build_labs(QDockWidget* tab_with) {
  m_labs_panel = new LabsPanel(m_session->labs(), this);
  auto* labs_dock = new QDockWidget(tr("Labs"), this);
  labs_dock->setObjectName(QStringLiteral("labsDock"));
  labs_dock->setWidget(m_labs_panel);
  addDockWidget(Qt::RightDockWidgetArea, labs_dock);
  tabifyDockWidget(tab_with, labs_dock);
  tab_with->raise();
  // Not the dock's toggle: Ctrl+L brings the panel to the front, also when
  // it is open behind another tab.
  m_labs = new QAction(tr("&Labs panel"), this);
  m_labs->setObjectName(QStringLiteral("actionLabs"));
  m_labs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  m_labs->setToolTip(tr("Show the labs panel: grade or run a lab (Ctrl+L)"));
  connect(m_labs, &QAction::triggered, labs_dock, [this, labs_dock] {
    labs_dock->show();
    labs_dock->raise();
    // The steps need some height; take it from the docks above.
    if (labs_dock->height() < kLabsDockHeight)
      resizeDocks({labs_dock}, {kLabsDockHeight}, Qt::Vertical);
    m_labs_panel->lab_box()->setFocus();
  });
  LabClient* labs = m_session->labs();
  connect(labs, &LabClient::actionSucceeded, this, [this](const QString& message) {
    statusBar()->showMessage(message, 8000);
    m_session->events()->note(message);
  });
  // In the panel's status line and the log, not a dialog: a failed grade is
  // an everyday result, not an accident.
  connect(labs, &LabClient::actionFailed, this, [this](const QString& action, const QString& why) {
    statusBar()->showMessage(tr("%1 failed: %2").arg(action, why), 15000);
    m_session->events()->note(tr("%1 failed: %2").arg(action, why));
  });
  if (labs->available()) labs->refresh_labs();

  QMenu* lab_menu = menuBar()->addMenu(tr("&Labs"));
  lab_menu->setToolTipsVisible(true);
  lab_menu->addAction(m_labs);
  lab_menu->addSeparator();
  lab_menu->addActions(
      {m_labs_panel->grade_action(), m_labs_panel->run_action(), m_labs_panel->stop_action()});

  return labs_dock;
}

}  // namespace nestlab::gui
