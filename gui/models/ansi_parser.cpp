#include "gui/models/ansi_parser.h"

#include <QList>

namespace nestlab::gui {

namespace ansi {

QRgb palette_colour(int index) {
  // xterm's default 16 colours.
  static constexpr QRgb kBase[16] = {
      0xff000000, 0xffcd0000, 0xff00cd00, 0xffcdcd00, 0xff0000ee, 0xffcd00cd,
      0xff00cdcd, 0xffe5e5e5, 0xff7f7f7f, 0xffff0000, 0xff00ff00, 0xffffff00,
      0xff5c5cff, 0xffff00ff, 0xff00ffff, 0xffffffff,
  };
  if (index < 0) index = 0;
  if (index < 16) return kBase[index];
  if (index < 232) {  // 6x6x6 cube.
    static constexpr int kLevels[6] = {0, 95, 135, 175, 215, 255};
    const int i = index - 16;
    return qRgb(kLevels[i / 36], kLevels[(i / 6) % 6], kLevels[i % 6]);
  }
  const int grey = 8 + 10 * (std::min(index, 255) - 232);
  return qRgb(grey, grey, grey);
}

}  // namespace ansi

void AnsiParser::reset() {
  m_state = State::Ground;
  m_text.clear();
  m_sequence.clear();
  m_sequence_length = 0;
  m_decoder.resetState();
  m_style = {};
}

void AnsiParser::flush_text(std::vector<ansi::Action>& out) {
  if (m_text.isEmpty()) return;
  QString text = m_decoder.decode(m_text);
  m_text.clear();
  if (!text.isEmpty()) out.push_back(ansi::Text{std::move(text)});
}

std::vector<ansi::Action> AnsiParser::feed(const QByteArray& bytes) {
  std::vector<ansi::Action> out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    switch (m_state) {
      case State::Ground:
        if (c == 0x1b) {
          flush_text(out);
          m_state = State::Escape;
          m_sequence_length = 0;
        } else if (c < 0x20 || c == 0x7f) {
          flush_text(out);
          switch (c) {
            case '\n': out.push_back(ansi::Control::Newline); break;
            case '\r': out.push_back(ansi::Control::CarriageReturn); break;
            case '\b': out.push_back(ansi::Control::Backspace); break;
            case '\t': out.push_back(ansi::Control::Tab); break;
            default: break;  // BEL, NUL, DEL and the rest have no visible effect here.
          }
        } else {
          m_text.append(ch);
        }
        break;

      case State::Escape:
        if (c == '[') {
          m_state = State::Csi;
          m_sequence.clear();
        } else if (c == ']') {
          m_state = State::Osc;
        } else if (c >= 0x20 && c <= 0x2f) {
          m_state = State::EscapeIntermediate;  // e.g. ESC ( B, charset selection.
        } else {
          m_state = State::Ground;  // A two-byte sequence (ESC 7, ESC M, ...): dropped.
        }
        break;

      case State::EscapeIntermediate:
        if (c >= 0x30 && c <= 0x7e)
          m_state = State::Ground;
        else if (++m_sequence_length > kMaxSequenceBytes)
          m_state = State::Ground;
        break;

      case State::Csi:
        if (c >= 0x40 && c <= 0x7e) {
          finish_csi(static_cast<char>(c), out);
          m_state = State::Ground;
        } else if (c >= 0x20 && c <= 0x3f && m_sequence.size() < kMaxSequenceBytes) {
          m_sequence.append(ch);
        } else {
          m_state = State::Ground;  // Malformed or too long: abandon it.
        }
        break;

      case State::Osc:
        // Ends with BEL or ST (ESC \).
        if (c == 0x07)
          m_state = State::Ground;
        else if (c == 0x1b)
          m_state = State::OscEscape;
        else if (++m_sequence_length > kMaxSequenceBytes)
          m_state = State::Ground;
        break;

      case State::OscEscape: m_state = c == '\\' ? State::Ground : State::Osc; break;
    }
  }
  flush_text(out);
  return out;
}

void AnsiParser::finish_csi(char final_byte, std::vector<ansi::Action>& out) {
  // Private sequences (CSI ? 25 l and friends) carry a marker in 0x3c..0x3f
  // first; none of them matter to a scrollback view.
  if (!m_sequence.isEmpty() && static_cast<unsigned char>(m_sequence[0]) >= 0x3c) return;
  std::vector<int> params;
  for (const QByteArray& part : m_sequence.split(';')) {
    bool ok = false;
    const int value = part.toInt(&ok);
    params.push_back(ok ? std::min(value, 65535) : 0);
  }
  if (final_byte == 'm') {
    apply_sgr(params);
    out.push_back(ansi::Style{m_style});
  } else if (final_byte == 'K') {
    const int mode = params.front();
    if (mode >= 0 && mode <= 2) out.push_back(ansi::EraseInLine{mode});
  }
}

void AnsiParser::apply_sgr(const std::vector<int>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const int p = params[i];
    if (p == 0)
      m_style = {};
    else if (p == 1)
      m_style.bold = true;
    else if (p == 22)
      m_style.bold = false;
    else if (p == 4)
      m_style.underline = true;
    else if (p == 24)
      m_style.underline = false;
    else if (p == 7)
      m_style.inverse = true;
    else if (p == 27)
      m_style.inverse = false;
    else if (p >= 30 && p <= 37)
      m_style.foreground = ansi::palette_colour(p - 30);
    else if (p == 39)
      m_style.foreground.reset();
    else if (p >= 40 && p <= 47)
      m_style.background = ansi::palette_colour(p - 40);
    else if (p == 49)
      m_style.background.reset();
    else if (p >= 90 && p <= 97)
      m_style.foreground = ansi::palette_colour(p - 90 + 8);
    else if (p >= 100 && p <= 107)
      m_style.background = ansi::palette_colour(p - 100 + 8);
    else if (p == 38 || p == 48) {
      // 38;5;N (palette) or 38;2;R;G;B (direct colour).
      std::optional<QRgb> colour;
      if (i + 2 < params.size() && params[i + 1] == 5) {
        colour = ansi::palette_colour(params[i + 2]);
        i += 2;
      } else if (i + 4 < params.size() && params[i + 1] == 2) {
        colour = qRgb(params[i + 2] & 0xff, params[i + 3] & 0xff, params[i + 4] & 0xff);
        i += 4;
      } else {
        return;  // Malformed: the rest cannot be read reliably.
      }
      (p == 38 ? m_style.foreground : m_style.background) = colour;
    }
  }
}

}  // namespace nestlab::gui
