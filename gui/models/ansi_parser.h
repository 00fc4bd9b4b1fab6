// Splits a guest's console byte stream into printable text, the few control
// characters a line-oriented terminal acts on, and SGR style changes
// (ECMA-48 section 8.3.117; xterm's ctlseqs for 38/48 extended colours).
// Every other escape sequence (cursor motion, OSC titles, charset
// selection) is consumed and dropped, so it never shows up as garbage.
// Bytes may arrive split anywhere, including inside an escape sequence or a
// UTF-8 character.
#pragma once

#include <QByteArray>
#include <QRgb>
#include <QString>
#include <QStringDecoder>

#include <optional>
#include <variant>
#include <vector>

namespace nestlab::gui {

struct TextStyle {
  std::optional<QRgb> foreground;  // nullopt: the terminal's default.
  std::optional<QRgb> background;
  bool bold = false;
  bool underline = false;
  bool inverse = false;

  bool operator==(const TextStyle&) const = default;
};

namespace ansi {

struct Text {
  QString text;
};
enum class Control { Newline, CarriageReturn, Backspace, Tab };
struct Style {
  TextStyle style;  // The whole current style, not a delta.
};
// CSI Ps K (ECMA-48 8.3.41): 0 cursor to end, 1 start to cursor, 2 whole line.
struct EraseInLine {
  int mode = 0;
};

using Action = std::variant<Text, Control, Style, EraseInLine>;

// The xterm colour for SGR palette index 0..255.
QRgb palette_colour(int index);

}  // namespace ansi

class AnsiParser {
 public:
  // An unterminated sequence longer than this is abandoned, so a stream of
  // junk cannot grow the parser's buffer.
  static constexpr int kMaxSequenceBytes = 256;

  std::vector<ansi::Action> feed(const QByteArray& bytes);
  const TextStyle& style() const { return m_style; }
  void reset();

 private:
  enum class State { Ground, Escape, EscapeIntermediate, Csi, Osc, OscEscape };

  void flush_text(std::vector<ansi::Action>& out);
  void finish_csi(char final_byte, std::vector<ansi::Action>& out);
  void apply_sgr(const std::vector<int>& params);

  State m_state = State::Ground;
  QByteArray m_text;      // Printable bytes not yet decoded.
  QByteArray m_sequence;  // Parameter and intermediate bytes of the current CSI.
  int m_sequence_length = 0;
  QStringDecoder m_decoder{QStringDecoder::Utf8};
  TextStyle m_style;
};

}  // namespace nestlab::gui
