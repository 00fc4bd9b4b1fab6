#include "labs/guests/monitor/line_editor.h"

#include "labs/guests/monitor/term.h"

namespace monitor {
namespace {
constexpr int kCtrlA = 1, kCtrlC = 3, kCtrlE = 5, kBackspace = 8, kCtrlL = 12, kCtrlU = 21,
              kEsc = 27, kDel = 127;

void copy(char* dst, const char* src, unsigned max) {
  unsigned i = 0;
  for (; i < max && src[i]; ++i) dst[i] = src[i];
  dst[i] = '\0';
}

bool same(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
}  // namespace

const char* LineEditor::history_entry(unsigned i) const {
  const unsigned oldest = (m_history_next + kHistory - m_history_count) % kHistory;
  return m_history[(oldest + i) % kHistory];
}

void LineEditor::remember(const char* line) {
  if (!line[0]) return;
  if (m_history_count && same(history_entry(m_history_count - 1), line))
    return;  // like bash's ignoredups
  copy(m_history[m_history_next], line, kMaxLine);
  m_history_next = (m_history_next + 1) % kHistory;
  if (m_history_count < kHistory) ++m_history_count;
}

void LineEditor::redraw() {
  // Carriage return, prompt, text, clear to end of line, cursor back.
  write("\r");
  write(m_prompt);
  write_raw(m_line, m_len);
  write("\x1b[K");
  if (m_cursor < m_len) print("\x1b[%uD", m_len - m_cursor);
}

void LineEditor::set_line(const char* text) {
  copy(m_line, text, kMaxLine);
  m_len = 0;
  while (m_line[m_len]) ++m_len;
  m_cursor = m_len;
  redraw();
}

void LineEditor::insert(char c) {
  if (m_len == kMaxLine) {
    write("\a");
    return;
  }
  for (unsigned i = m_len; i > m_cursor; --i) m_line[i] = m_line[i - 1];
  m_line[m_cursor++] = c;
  m_line[++m_len] = '\0';
  if (m_cursor == m_len)
    write_raw(&c, 1);
  else
    redraw();
}

void LineEditor::erase_before() {
  if (m_cursor == 0) return;
  --m_cursor;
  erase_at();
}

void LineEditor::erase_at() {
  if (m_cursor == m_len) return;
  for (unsigned i = m_cursor; i < m_len; ++i) m_line[i] = m_line[i + 1];
  --m_len;
  if (m_cursor == m_len)
    write("\b \b");
  else
    redraw();
}

void LineEditor::recall(int direction) {
  int next = m_browse + direction;
  if (next >= static_cast<int>(m_history_count)) return;
  if (next < 0) {
    m_browse = -1;
    set_line("");
    return;
  }
  m_browse = next;
  set_line(history_entry(m_history_count - 1 - static_cast<unsigned>(next)));
}

bool LineEditor::key(int k) {
  if (m_escape == Escape::Esc) {
    m_escape = k == '[' || k == 'O' ? Escape::Csi : Escape::None;
    return false;
  }
  if (m_escape == Escape::Csi) {
    if (k >= '0' && k <= '9') {
      m_csi_arg = static_cast<char>(k);
      return false;
    }
    m_escape = Escape::None;
    const char arg = m_csi_arg;
    m_csi_arg = 0;
    switch (k) {
      case 'A': recall(+1); break;
      case 'B': recall(-1); break;
      case 'C':
        if (m_cursor < m_len) {
          ++m_cursor;
          write("\x1b[C");
        }
        break;
      case 'D':
        if (m_cursor > 0) {
          --m_cursor;
          write("\x1b[D");
        }
        break;
      case 'H':
        m_cursor = 0;
        redraw();
        break;
      case 'F':
        m_cursor = m_len;
        redraw();
        break;
      case '~':
        if (arg == '3') erase_at();
        if (arg == '1' || arg == '7') m_cursor = 0, redraw();
        if (arg == '4' || arg == '8') m_cursor = m_len, redraw();
        break;
      default: break;
    }
    return false;
  }
  // Enter: a terminal sends CR; pasted text may say CR LF, which is one line.
  const bool after_cr = m_after_cr;
  m_after_cr = k == '\r';
  switch (k) {
    case '\n':
      if (after_cr) return false;
      [[fallthrough]];
    case '\r': write_raw("\r\n", 2); return true;
    case kEsc: m_escape = Escape::Esc; return false;
    case kBackspace:
    case kDel: erase_before(); return false;
    case kCtrlA:
      m_cursor = 0;
      redraw();
      return false;
    case kCtrlE:
      m_cursor = m_len;
      redraw();
      return false;
    case kCtrlU:
      m_len = m_cursor = 0;
      m_line[0] = '\0';
      redraw();
      return false;
    case kCtrlL:
      write("\x1b[H\x1b[2J");
      redraw();
      return false;
    case kCtrlC:
      write_raw("^C\r\n", 4);
      m_len = m_cursor = 0;
      m_line[0] = '\0';
      write(m_prompt);
      return false;
    default:
      if (k >= 0x20 && k < 0x7f) insert(static_cast<char>(k));
      return false;
  }
}

const char* LineEditor::read_line() {
  m_len = m_cursor = 0;
  m_line[0] = '\0';
  m_browse = -1;
  m_escape = Escape::None;
  write(m_prompt);
  while (!key(read_key())) {
  }
  remember(m_line);
  return m_line;
}

}  // namespace monitor
