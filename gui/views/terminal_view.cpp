#include "gui/views/terminal_view.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBlock>
#include <QVBoxLayout>

#include "gui/models/terminal_model.h"
#include "gui/views/terminal_keys.h"

namespace nestlab::gui {

namespace {

QTextCharFormat format_of(const TextStyle& style) {
  QTextCharFormat format;
  QColor foreground =
      style.foreground ? QColor(*style.foreground) : QColor(TerminalView::kForeground);
  QColor background =
      style.background ? QColor(*style.background) : QColor(TerminalView::kBackground);
  if (style.inverse) std::swap(foreground, background);
  format.setForeground(foreground);
  if (style.background || style.inverse) format.setBackground(background);
  if (style.bold) format.setFontWeight(QFont::Bold);
  if (style.underline) format.setFontUnderline(true);
  return format;
}

}  // namespace

TerminalView::TerminalView(QWidget* parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_text(new QPlainTextEdit(this)),
      m_writer_label(new QLabel(this)),
      m_take_over(new QPushButton(tr("&Take over"), this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(m_title);
  layout->addWidget(m_text, 1);
  auto* writer_bar = new QHBoxLayout;
  writer_bar->addWidget(m_writer_label, 1);
  writer_bar->addWidget(m_take_over);
  layout->addLayout(writer_bar);
  m_writer_label->setObjectName(QStringLiteral("terminalWriter"));
  m_writer_label->setWordWrap(true);
  m_take_over->setObjectName(QStringLiteral("terminalTakeOver"));
  m_take_over->setToolTip(
      tr("Take the console's writer lock from the client holding it (console.attach force)."));
  connect(m_take_over, &QPushButton::clicked, this, &TerminalView::takeOverRequested);

  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  mono.setStyleHint(QFont::Monospace);
  m_text->setFont(mono);
  m_text->setReadOnly(true);
  m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
  m_text->setUndoRedoEnabled(false);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  m_text->setFocusPolicy(Qt::StrongFocus);
  m_text->installEventFilter(this);
  m_text->setContextMenuPolicy(Qt::CustomContextMenu);
  m_text->setObjectName(QStringLiteral("terminalText"));
  QPalette palette = m_text->palette();
  palette.setColor(QPalette::Base, QColor(kBackground));
  palette.setColor(QPalette::Text, QColor(kForeground));
  m_text->setPalette(palette);
  connect(m_text, &QWidget::customContextMenuRequested, this, &TerminalView::show_context_menu);

  set_model(nullptr, QString());
}

QString TerminalView::title() const { return m_title->text(); }

void TerminalView::set_model(TerminalModel* model, const QString& title) {
  for (const auto& c : m_model_connections) disconnect(c);
  m_model_connections.clear();
  m_model = model;
  m_title->setText(model ? tr("Serial console of %1").arg(title)
                         : tr("Select a VHV or VM to see its serial console."));
  if (model) {
    m_model_connections = {
        connect(model, &QAbstractItemModel::modelReset, this, &TerminalView::rebuild),
        connect(model, &QAbstractItemModel::rowsInserted, this,
                [this](const QModelIndex&, int first, int last) { on_rows_inserted(first, last); }),
        connect(model, &QAbstractItemModel::rowsRemoved, this,
                [this](const QModelIndex&, int first, int last) { on_rows_removed(first, last); }),
        connect(model, &QAbstractItemModel::dataChanged, this, &TerminalView::on_data_changed),
        connect(model, &QObject::destroyed, this, [this] { set_model(nullptr, QString()); }),
    };
  }
  rebuild();
  set_writer_state(false, QString());  // Until the owner says we hold the lock.
}

void TerminalView::set_writer_state(bool writer, const QString& message) {
  m_writer = writer;
  QString text;
  if (!m_model)
    text = QString();
  else if (writer)
    text = tr("Input: typing here goes to the guest (Ctrl+Shift+C copy, Ctrl+Shift+V paste).");
  else
    text = message.isEmpty() ? tr("Read-only.") : message;
  if (writer && !message.isEmpty()) text = message;
  m_writer_label->setText(text);
  m_writer_label->setStyleSheet(writer ? QString() : QStringLiteral("color: #b35900;"));
  m_take_over->setVisible(m_model && !writer);
}

void TerminalView::paste() {
  const QString text = QApplication::clipboard()->text();
  if (m_writer && !text.isEmpty()) emit inputBytes(bytes_for_paste(text));
}

bool TerminalView::eventFilter(QObject* watched, QEvent* event) {
  if (watched != m_text ||
      (event->type() != QEvent::KeyPress && event->type() != QEvent::ShortcutOverride))
    return QWidget::eventFilter(watched, event);
  auto* key = static_cast<QKeyEvent*>(event);
  if (event->type() == QEvent::ShortcutOverride) {
    // While we type into a guest, its keys (Ctrl+letter, Delete) are the
    // guest's, not the window's shortcuts; Ctrl+Shift+… stays the window's.
    const bool ctrl_shift = (key->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier)) ==
                            (Qt::ControlModifier | Qt::ShiftModifier);
    if (m_writer && m_model && !ctrl_shift &&
        !bytes_for_key(key->key(), key->modifiers(), key->text()).isEmpty()) {
      event->accept();
      return true;
    }
    return false;
  }
  const Qt::KeyboardModifiers mods = key->modifiers() & ~Qt::KeypadModifier;
  if (mods == (Qt::ControlModifier | Qt::ShiftModifier) && key->key() == Qt::Key_C) {
    m_text->copy();
    return true;
  }
  if ((mods == (Qt::ControlModifier | Qt::ShiftModifier) && key->key() == Qt::Key_V) ||
      (mods == Qt::ShiftModifier && key->key() == Qt::Key_Insert)) {
    paste();
    return true;
  }
  if (!m_writer || !m_model) return false;  // Selection keys still work read-only.
  const QByteArray bytes = bytes_for_key(key->key(), key->modifiers(), key->text());
  if (bytes.isEmpty()) return false;
  emit inputBytes(bytes);
  return true;
}

bool TerminalView::at_bottom() const {
  const QScrollBar* bar = m_text->verticalScrollBar();
  return bar->value() >= bar->maximum() - 1;
}

void TerminalView::scroll_to_bottom() {
  m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
}

void TerminalView::rebuild() {
  m_text->clear();  // Leaves one empty block: row 0.
  if (!m_model) return;
  const int rows = m_model->rowCount();
  QTextCursor cursor(m_text->document());
  cursor.beginEditBlock();
  for (int row = 1; row < rows; ++row) {
    cursor.movePosition(QTextCursor::End);
    cursor.insertBlock();
  }
  cursor.endEditBlock();
  for (int row = 0; row < rows; ++row) render_row(row);
  scroll_to_bottom();
}

void TerminalView::render_row(int row) {
  QTextBlock block = m_text->document()->findBlockByNumber(row);
  if (!block.isValid()) return;
  QTextCursor cursor(block);
  cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
  cursor.removeSelectedText();
  const TerminalLine& line = m_model->line(row);
  for (const StyledRun& run : line.runs)
    cursor.insertText(line.text.mid(run.start, run.length), format_of(run.style));
}

void TerminalView::on_rows_inserted(int first, int last) {
  const bool follow = at_bottom();
  QTextCursor cursor(m_text->document());
  for (int row = first; row <= last; ++row) {
    cursor.movePosition(QTextCursor::End);
    cursor.insertBlock(QTextBlockFormat(), QTextCharFormat());
    render_row(row);
  }
  if (follow) scroll_to_bottom();
}

void TerminalView::on_rows_removed(int first, int last) {
  // The model only drops its oldest lines.
  QTextBlock from = m_text->document()->findBlockByNumber(first);
  QTextBlock to = m_text->document()->findBlockByNumber(last + 1);
  if (!from.isValid() || !to.isValid()) {
    rebuild();
    return;
  }
  QTextCursor cursor(from);
  cursor.setPosition(to.position(), QTextCursor::KeepAnchor);
  cursor.removeSelectedText();
}

void TerminalView::on_data_changed(const QModelIndex& top_left, const QModelIndex& bottom_right) {
  const bool follow = at_bottom();
  for (int row = top_left.row(); row <= bottom_right.row(); ++row) render_row(row);
  if (follow) scroll_to_bottom();
}

void TerminalView::show_context_menu(const QPoint& position) {
  QMenu* menu = m_text->createStandardContextMenu(position);
  menu->setAttribute(Qt::WA_DeleteOnClose);
  menu->addSeparator();
  QAction* paste_action = menu->addAction(tr("Paste to guest"));
  paste_action->setEnabled(m_writer && !QApplication::clipboard()->text().isEmpty());
  connect(paste_action, &QAction::triggered, this, &TerminalView::paste);
  QAction* clear = menu->addAction(tr("Clear scrollback"));
  clear->setEnabled(m_model);
  connect(clear, &QAction::triggered, this, [this] {
    if (m_model) m_model->clear();
  });
  menu->popup(m_text->viewport()->mapToGlobal(position));
}

}  // namespace nestlab::gui
