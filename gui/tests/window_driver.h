// What the end-to-end tests need to drive a real window the way a person
// would: find a dialog once it shows, make a window active so that its
// shortcuts reach it, and where to save screenshots.
#pragma once

#include <QApplication>
#include <QDir>
#include <QTest>
#include <QWidget>

#include "gui/tests/wait.h"

namespace nestlab::gui::test {

template <typename T>
T* wait_for_visible_child(QWidget* parent, int timeout_ms) {
  T* found = nullptr;
  wait_until(
      [&] {
        for (T* child : parent->findChildren<T*>())
          if (child->isVisible()) found = child;
        return found != nullptr;
      },
      timeout_ms);
  return found;
}

// Shortcuts need the window active; with no window manager under Xvfb,
// make it so.
inline void make_active(QWidget& window) {
  window.activateWindow();
  if (!QTest::qWaitForWindowActive(&window, 2000)) QApplication::setActiveWindow(&window);
}

inline QString artifact_dir() {
  const QString dir = qEnvironmentVariable("NESTLAB_GUI_ARTIFACT_DIR");
  return dir.isEmpty() ? QDir::currentPath() : dir;
}

}  // namespace nestlab::gui::test
