// What a serial terminal sends for a key press: the bytes a VT100/xterm
// sends, so guests written for `nestlab console` or a real serial line
// (the monitor guest's line editor, labs/guests/monitor) understand them.
// Enter is CR, Backspace is DEL (0x7f), arrows and Home/End are CSI
// sequences, Ctrl+letter is the C0 control. Empty for keys that send
// nothing (a lone Shift).
#pragma once

#include <QByteArray>
#include <QString>

namespace nestlab::gui {

QByteArray bytes_for_key(int key, Qt::KeyboardModifiers modifiers, const QString& text);

// Pasted text as a terminal types it: line ends become CR.
QByteArray bytes_for_paste(const QString& text);

}  // namespace nestlab::gui
