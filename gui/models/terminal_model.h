// The scrollback of one serial console: lines of styled text, the last one
// being written. It keeps at most max_lines() lines, dropping the oldest, so
// a guest that prints forever costs a fixed amount of memory. Line feed
// also returns the carriage, as serial consoles set to ONLCR do. Passive:
// ConsoleClient feeds it bytes; TerminalView renders it.
#pragma once

#include <QAbstractListModel>
#include <QList>

#include "gui/models/ansi_parser.h"

namespace nestlab::gui {

struct StyledRun {
  int start = 0;
  int length = 0;
  TextStyle style;
  bool operator==(const StyledRun&) const = default;
};

struct TerminalLine {
  QString text;
  QList<StyledRun> runs;  // Cover text exactly, in order.
};

class TerminalModel : public QAbstractListModel {
  Q_OBJECT

 public:
  static constexpr int kDefaultMaxLines = 10000;
  static constexpr int kTabWidth = 8;

  explicit TerminalModel(QObject* parent = nullptr, int max_lines = kDefaultMaxLines);

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

  void feed(const QByteArray& bytes);
  void clear();

  int max_lines() const { return m_max_lines; }
  const TerminalLine& line(int row) const { return m_lines[row]; }
  // Everything in the scrollback as plain text, lines joined by '\n'.
  QString plain_text() const;

 private:
  void write(const QString& text);
  void new_line();
  void erase_in_line(int mode);
  void mark_dirty() { m_last_dirty = true; }
  void flush_dirty();

  int m_max_lines;
  QList<TerminalLine> m_lines;  // Invariant: 1 <= size() <= m_max_lines.
  int m_cursor = 0;             // Column in the last line; may lie past its end.
  bool m_last_dirty = false;    // The last line changed and views were not told yet.
  AnsiParser m_parser;
  TextStyle m_style;
};

}  // namespace nestlab::gui
