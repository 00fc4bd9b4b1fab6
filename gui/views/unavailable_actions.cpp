#include "gui/views/unavailable_actions.h"

#include <QAction>
#include <QMenu>
#include <QToolBar>

namespace nestlab::gui {

void add_unavailable_actions(QObject* owner, QMenu* menu, QToolBar* toolbar) {
  // Shown so people know they are coming, disabled because the client API
  // (docs/protocols.md section 1) has no method for them yet.
  struct Missing {
    const char* name;
    const char* text;
    const char* why;
    bool on_toolbar;
  };
  static constexpr Missing kMissing[] = {
      {"actionStop", "S&top VHV",
       "Stopping a VHV without destroying it waits on the API: there is no vhv.stop/vhv.start yet.",
       true},
  };
  menu->addSeparator();
  for (const Missing& m : kMissing) {
    auto* action = new QAction(QObject::tr(m.text), owner);
    action->setObjectName(QString::fromLatin1(m.name));
    action->setEnabled(false);
    action->setToolTip(QObject::tr(m.why));
    action->setStatusTip(QObject::tr(m.why));
    menu->addAction(action);
    if (m.on_toolbar) toolbar->addAction(action);
  }
}

}  // namespace nestlab::gui
