#include "gui/views/terminal_keys.h"

#include <QtTest>

namespace nestlab::gui {

class TerminalKeysTest : public QObject {
  Q_OBJECT

 private slots:
  void printable_keys_send_their_text() {
    QCOMPARE(bytes_for_key(Qt::Key_E, Qt::NoModifier, "e"), QByteArray("e"));
    QCOMPARE(bytes_for_key(Qt::Key_E, Qt::ShiftModifier, "E"), QByteArray("E"));
    QCOMPARE(bytes_for_key(Qt::Key_Space, Qt::NoModifier, " "), QByteArray(" "));
    QCOMPARE(bytes_for_key(0x00e9, Qt::NoModifier, QString::fromUtf8("é")), QByteArray("\xc3\xa9"));
  }

  void editing_keys_send_what_the_monitor_guest_expects() {
    QCOMPARE(bytes_for_key(Qt::Key_Return, Qt::NoModifier, "\r"), QByteArray("\r"));
    QCOMPARE(bytes_for_key(Qt::Key_Enter, Qt::KeypadModifier, "\r"), QByteArray("\r"));
    QCOMPARE(bytes_for_key(Qt::Key_Backspace, Qt::NoModifier, "\b"), QByteArray("\x7f"));
    QCOMPARE(bytes_for_key(Qt::Key_Up, Qt::NoModifier, {}), QByteArray("\x1b[A"));
    QCOMPARE(bytes_for_key(Qt::Key_Down, Qt::NoModifier, {}), QByteArray("\x1b[B"));
    QCOMPARE(bytes_for_key(Qt::Key_Right, Qt::NoModifier, {}), QByteArray("\x1b[C"));
    QCOMPARE(bytes_for_key(Qt::Key_Left, Qt::NoModifier, {}), QByteArray("\x1b[D"));
    QCOMPARE(bytes_for_key(Qt::Key_Delete, Qt::NoModifier, {}), QByteArray("\x1b[3~"));
    QCOMPARE(bytes_for_key(Qt::Key_Home, Qt::NoModifier, {}), QByteArray("\x1b[H"));
  }

  void control_letters_are_c0_codes() {
    QCOMPARE(bytes_for_key(Qt::Key_C, Qt::ControlModifier, "\x03"), QByteArray("\x03"));
    QCOMPARE(bytes_for_key(Qt::Key_A, Qt::ControlModifier, {}), QByteArray("\x01"));
    QCOMPARE(bytes_for_key(Qt::Key_U, Qt::ControlModifier, {}), QByteArray("\x15"));
  }

  void modifier_alone_sends_nothing() {
    QVERIFY(bytes_for_key(Qt::Key_Shift, Qt::ShiftModifier, {}).isEmpty());
  }

  void paste_turns_line_ends_into_cr() {
    QCOMPARE(bytes_for_paste("echo a\necho b\r\n"), QByteArray("echo a\recho b\r"));
  }
};

}  // namespace nestlab::gui

QTEST_APPLESS_MAIN(nestlab::gui::TerminalKeysTest)
#include "terminal_keys_test.moc"
