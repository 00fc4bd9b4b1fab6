#include "gui/views/terminal_keys.h"

namespace nestlab::gui {

QByteArray bytes_for_key(int key, Qt::KeyboardModifiers modifiers, const QString& text) {
  switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter: return QByteArrayLiteral("\r");
    case Qt::Key_Backspace: return QByteArrayLiteral("\x7f");
    case Qt::Key_Tab: return QByteArrayLiteral("\t");
    case Qt::Key_Escape: return QByteArrayLiteral("\x1b");
    case Qt::Key_Up: return QByteArrayLiteral("\x1b[A");
    case Qt::Key_Down: return QByteArrayLiteral("\x1b[B");
    case Qt::Key_Right: return QByteArrayLiteral("\x1b[C");
    case Qt::Key_Left: return QByteArrayLiteral("\x1b[D");
    case Qt::Key_Home: return QByteArrayLiteral("\x1b[H");
    case Qt::Key_End: return QByteArrayLiteral("\x1b[F");
    case Qt::Key_Insert: return QByteArrayLiteral("\x1b[2~");
    case Qt::Key_Delete: return QByteArrayLiteral("\x1b[3~");
    case Qt::Key_PageUp: return QByteArrayLiteral("\x1b[5~");
    case Qt::Key_PageDown: return QByteArrayLiteral("\x1b[6~");
    default: break;
  }
  // Ctrl+letter (and Ctrl+@ [ \ ] ^ _): the C0 control code.
  if ((modifiers & Qt::ControlModifier) && key >= Qt::Key_At && key <= Qt::Key_Underscore)
    return QByteArray(1, static_cast<char>(key - Qt::Key_At));
  if (text.isEmpty()) return {};
  return text.toUtf8();
}

QByteArray bytes_for_paste(const QString& text) {
  QString typed = text;
  typed.replace(QStringLiteral("\r\n"), QStringLiteral("\r"));
  typed.replace(QLatin1Char('\n'), QLatin1Char('\r'));
  return typed.toUtf8();
}

}  // namespace nestlab::gui
