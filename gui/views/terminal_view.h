// An embedded serial terminal: renders a TerminalModel (monospace, ANSI
// colours, scrollback) in a read-only QPlainTextEdit, which gives character
// selection and copy for free. Document block N is always model row N; the
// view follows the model's four kinds of change (append a line, rewrite the
// last line, drop lines from the top, reset). Keys typed into the text area
// go out as inputBytes (terminal_keys.h) while we hold the console's writer
// lock; otherwise a bar says who does and offers "Take over". Ctrl+Shift+C
// copies the selection, Ctrl+Shift+V (or Shift+Insert, or the context menu)
// pastes into the guest.
#pragma once

#include <QPlainTextEdit>
#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace nestlab::gui {

class TerminalModel;

class TerminalView : public QWidget {
  Q_OBJECT

 public:
  static constexpr QRgb kBackground = 0xff1e1e1e;
  static constexpr QRgb kForeground = 0xffd4d4d4;

  explicit TerminalView(QWidget* parent = nullptr);

  // `title` names whose console it is ("vhv-1, VM 0").
  void set_model(TerminalModel* model, const QString& title);
  QString title() const;
  TerminalModel* model() const { return m_model; }

  QString plain_text() const { return m_text->toPlainText(); }
  QPlainTextEdit* text_edit() const { return m_text; }
  QLabel* writer_label() const { return m_writer_label; }
  QPushButton* take_over_button() const { return m_take_over; }

  // Whether typing reaches the guest; `message` says why not (or a failure).
  void set_writer_state(bool writer, const QString& message);
  bool is_writer() const { return m_writer; }

  void paste();

 signals:
  void inputBytes(const QByteArray& bytes);
  void takeOverRequested();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void rebuild();
  void render_row(int row);
  void on_rows_inserted(int first, int last);
  void on_rows_removed(int first, int last);
  void on_data_changed(const QModelIndex& top_left, const QModelIndex& bottom_right);
  void show_context_menu(const QPoint& position);
  bool at_bottom() const;
  void scroll_to_bottom();

  QPointer<TerminalModel> m_model;  // Not owned.
  QLabel* m_title;
  QPlainTextEdit* m_text;
  QLabel* m_writer_label;
  QPushButton* m_take_over;
  bool m_writer = false;
  QList<QMetaObject::Connection> m_model_connections;
};

}  // namespace nestlab::gui
