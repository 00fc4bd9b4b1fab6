#include "gui/models/terminal_model.h"

#include <algorithm>

namespace nestlab::gui {

namespace {

// Expands runs to one style per character, for the rare in-place edits
// (carriage return followed by text, erase to start of line).
QList<TextStyle> per_character(const TerminalLine& line) {
  QList<TextStyle> styles;
  styles.reserve(line.text.size());
  for (const StyledRun& run : line.runs)
    for (int i = 0; i < run.length; ++i) styles.append(run.style);
  return styles;
}

QList<StyledRun> compress(const QList<TextStyle>& styles) {
  QList<StyledRun> runs;
  for (int i = 0; i < styles.size(); ++i) {
    if (!runs.isEmpty() && runs.back().style == styles[i])
      ++runs.back().length;
    else
      runs.append(StyledRun{i, 1, styles[i]});
  }
  return runs;
}

void append_run(TerminalLine& line, int length, const TextStyle& style) {
  if (length <= 0) return;
  if (!line.runs.isEmpty() && line.runs.back().style == style)
    line.runs.back().length += length;
  else
    line.runs.append(StyledRun{static_cast<int>(line.text.size()) - length, length, style});
}

}  // namespace

TerminalModel::TerminalModel(QObject* parent, int max_lines)
    : QAbstractListModel(parent), m_max_lines(std::max(1, max_lines)), m_lines(1) {}

int TerminalModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_lines.size());
}

QVariant TerminalModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_lines.size()) return {};
  if (role == Qt::DisplayRole) return m_lines[index.row()].text;
  return {};
}

QString TerminalModel::plain_text() const {
  QStringList texts;
  texts.reserve(m_lines.size());
  for (const TerminalLine& l : m_lines) texts.append(l.text);
  return texts.join('\n');
}

void TerminalModel::feed(const QByteArray& bytes) {
  for (const ansi::Action& action : m_parser.feed(bytes)) {
    if (const auto* text = std::get_if<ansi::Text>(&action)) {
      write(text->text);
    } else if (const auto* style = std::get_if<ansi::Style>(&action)) {
      m_style = style->style;
    } else if (const auto* erase = std::get_if<ansi::EraseInLine>(&action)) {
      erase_in_line(erase->mode);
    } else {
      switch (std::get<ansi::Control>(action)) {
        case ansi::Control::Newline: new_line(); break;
        case ansi::Control::CarriageReturn: m_cursor = 0; break;
        case ansi::Control::Backspace: m_cursor = std::max(0, m_cursor - 1); break;
        case ansi::Control::Tab: {
          const int next = (m_cursor / kTabWidth + 1) * kTabWidth;
          if (m_cursor >= m_lines.back().text.size())
            write(QString(next - m_cursor, ' '));
          else
            m_cursor = next;
          break;
        }
      }
    }
  }
  flush_dirty();
}

void TerminalModel::write(const QString& text) {
  TerminalLine& line = m_lines.back();
  const int length = static_cast<int>(line.text.size());
  if (m_cursor > length) {  // Past the end after a tab or an erase: pad.
    line.text.append(QString(m_cursor - length, ' '));
    append_run(line, m_cursor - length, TextStyle{});
  }
  if (m_cursor == line.text.size()) {
    line.text.append(text);
    append_run(line, static_cast<int>(text.size()), m_style);
  } else {
    QList<TextStyle> styles = per_character(line);
    for (int i = 0; i < text.size(); ++i) {
      const int at = m_cursor + i;
      if (at < line.text.size()) {
        line.text[at] = text[i];
        styles[at] = m_style;
      } else {
        line.text.append(text[i]);
        styles.append(m_style);
      }
    }
    line.runs = compress(styles);
  }
  m_cursor += static_cast<int>(text.size());
  mark_dirty();
}

void TerminalModel::erase_in_line(int mode) {
  TerminalLine& line = m_lines.back();
  const int length = static_cast<int>(line.text.size());
  const int cursor = std::min(m_cursor, length);
  if (mode == 0 || mode == 2) {
    // Erasing to the end is truncation; erasing everything leaves blanks
    // before the cursor, which write() re-creates when text follows.
    const int keep = mode == 0 ? cursor : 0;
    QList<TextStyle> styles = per_character(line);
    line.text.truncate(keep);
    styles.resize(keep);
    line.runs = compress(styles);
  } else {
    QList<TextStyle> styles = per_character(line);
    // Up to and including the cursor position (ECMA-48 8.3.41).
    for (int i = 0; i <= cursor && i < length; ++i) {
      line.text[i] = ' ';
      styles[i] = TextStyle{};
    }
    line.runs = compress(styles);
  }
  mark_dirty();
}

void TerminalModel::new_line() {
  flush_dirty();
  const int row = static_cast<int>(m_lines.size());
  if (row >= m_max_lines) {
    const int excess = row - m_max_lines + 1;
    beginRemoveRows({}, 0, excess - 1);
    m_lines.remove(0, excess);
    endRemoveRows();
  }
  const int at = static_cast<int>(m_lines.size());
  beginInsertRows({}, at, at);
  m_lines.append(TerminalLine{});
  endInsertRows();
  m_cursor = 0;
}

void TerminalModel::flush_dirty() {
  if (!m_last_dirty) return;
  m_last_dirty = false;
  const QModelIndex last = index(static_cast<int>(m_lines.size()) - 1);
  emit dataChanged(last, last, {Qt::DisplayRole});
}

void TerminalModel::clear() {
  beginResetModel();
  m_lines = QList<TerminalLine>(1);
  m_cursor = 0;
  m_last_dirty = false;
  m_parser.reset();
  m_style = {};
  endResetModel();
}

}  // namespace nestlab::gui
