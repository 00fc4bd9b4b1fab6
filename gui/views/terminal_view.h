// An embedded serial terminal: renders a TerminalModel (monospace, ANSI
// colours, scrollback) in a read-only QPlainTextEdit, which gives character
// selection and copy for free. Document block N is always model row N; the
// view follows the model's four kinds of change (append a line, rewrite the
// last line, drop lines from the top, reset). Input is shown but disabled:
// the client API has no console input method yet.
#pragma once

#include <QPlainTextEdit>
#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;

namespace nestlab::gui {

class TerminalModel;

class TerminalView : public QWidget {
  Q_OBJECT

 public:
  static constexpr QRgb kBackground = 0xff1e1e1e;
  static constexpr QRgb kForeground = 0xffd4d4d4;

  explicit TerminalView(QWidget* parent = nullptr);

  void set_model(TerminalModel* model, const QString& title);
  TerminalModel* model() const { return m_model; }

  QString plain_text() const { return m_text->toPlainText(); }
  QPlainTextEdit* text_edit() const { return m_text; }
  QLineEdit* input() const { return m_input; }

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
  QLineEdit* m_input;
  QList<QMetaObject::Connection> m_model_connections;
};

}  // namespace nestlab::gui
