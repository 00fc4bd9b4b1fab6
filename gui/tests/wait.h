// Bounded waiting for tests: spins the event loop until a condition holds.
#pragma once

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTest>

namespace nestlab::gui::test {

template <typename Condition>
bool wait_until(Condition condition, int timeout_ms) {
  QDeadlineTimer deadline(timeout_ms);
  while (!condition()) {
    if (deadline.hasExpired()) return false;
    QTest::qWait(20);
  }
  return true;
}

}  // namespace nestlab::gui::test
