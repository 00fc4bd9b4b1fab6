// The actions issue #8 asks for that the client API cannot do yet (stopping
// a VHV without destroying it): shown disabled, each with a tooltip naming
// the missing method, so nobody mistakes them for broken.
#pragma once

class QMenu;
class QObject;
class QToolBar;

namespace nestlab::gui {

void add_unavailable_actions(QObject* owner, QMenu* menu, QToolBar* toolbar);

}  // namespace nestlab::gui
