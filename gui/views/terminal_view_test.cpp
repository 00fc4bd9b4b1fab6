#include "gui/views/terminal_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPushButton>
#include <QTest>
#include <QTextBlock>

#include "gui/models/terminal_model.h"

using namespace nestlab::gui;

class TerminalViewTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void shows_model_text_and_follows_changes() {
    TerminalModel model;
    TerminalView view;
    model.feed("before\n");
    view.set_model(&model, "vhv-1");
    QCOMPARE(view.plain_text(), QString("before\n"));
    model.feed("Hello from ");
    model.feed("the guest\r\nnext");
    QCOMPARE(view.plain_text(), QString("before\nHello from the guest\nnext"));
    QCOMPARE(view.text_edit()->document()->blockCount(), model.rowCount());
  }

  void colours_reach_the_document() {
    TerminalModel model;
    TerminalView view;
    view.set_model(&model, "vhv-1");
    model.feed("ok \x1b[31mFAIL\x1b[0m\n");
    const QTextBlock block = view.text_edit()->document()->firstBlock();
    bool saw_red = false;
    for (auto it = block.begin(); !it.atEnd(); ++it)
      if (it.fragment().text() == "FAIL")
        saw_red =
            it.fragment().charFormat().foreground().color() == QColor(ansi::palette_colour(1));
    QVERIFY(saw_red);
  }

  void scrollback_bound_holds_in_the_widget() {
    TerminalModel model(nullptr, 50);
    TerminalView view;
    view.set_model(&model, "vhv-1");
    for (int i = 0; i < 300; ++i) model.feed("line " + QByteArray::number(i) + "\n");
    QCOMPARE(view.text_edit()->document()->blockCount(), 50);
    QVERIFY(view.plain_text().startsWith("line 251\n"));
    QVERIFY(view.plain_text().endsWith("line 299\n"));
  }

  void reset_and_destroyed_model() {
    auto* model = new TerminalModel;
    TerminalView view;
    view.set_model(model, "vhv-1");
    model->feed("x\ny\n");
    model->clear();
    QCOMPARE(view.plain_text(), QString());
    model->feed("z");
    delete model;
    QCOMPARE(view.model(), nullptr);
    QCOMPARE(view.plain_text(), QString());
  }

  void copy_puts_selection_on_clipboard() {
    TerminalModel model;
    TerminalView view;
    view.set_model(&model, "vhv-1");
    model.feed("copy me\n");
    view.text_edit()->selectAll();
    view.text_edit()->copy();
    QCOMPARE(QApplication::clipboard()->text(), QString("copy me\n"));
  }

  void keys_reach_the_guest_only_as_writer() {
    TerminalModel model;
    TerminalView view;
    view.set_model(&model, "vhv-1");
    QList<QByteArray> sent;
    connect(&view, &TerminalView::inputBytes, [&](const QByteArray& b) { sent << b; });
    QTest::keyClicks(view.text_edit(), "ab");
    QVERIFY(sent.isEmpty());
    QVERIFY(view.take_over_button()->isVisibleTo(&view));
    view.set_writer_state(false, "Read-only: held by pid 42");
    QVERIFY(view.writer_label()->text().contains("pid 42"));

    view.set_writer_state(true, QString());
    QVERIFY(!view.take_over_button()->isVisibleTo(&view));
    QTest::keyClicks(view.text_edit(), "hi");
    QTest::keyClick(view.text_edit(), Qt::Key_Return);
    QTest::keyClick(view.text_edit(), Qt::Key_Backspace);
    QTest::keyClick(view.text_edit(), Qt::Key_Left);
    QCOMPARE(sent, (QList<QByteArray>{"h", "i", "\r", "\x7f", "\x1b[D"}));
  }

  void guest_keys_win_over_window_shortcuts() {
    QWidget window;
    auto* destroy = new QAction(&window);
    destroy->setShortcut(QKeySequence::Delete);
    window.addAction(destroy);
    int destroyed = 0;
    connect(destroy, &QAction::triggered, [&] { ++destroyed; });
    TerminalModel model;
    auto* view = new TerminalView(&window);
    view->set_model(&model, "vhv-1");
    QByteArray sent;
    connect(view, &TerminalView::inputBytes, [&](const QByteArray& b) { sent += b; });
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    view->text_edit()->setFocus();
    QTest::keyClick(view->text_edit(), Qt::Key_Delete);  // Read-only: the shortcut.
    QCOMPARE(destroyed, 1);
    view->set_writer_state(true, QString());
    QTest::keyClick(view->text_edit(), Qt::Key_Delete);  // Writer: the guest's.
    QCOMPARE(destroyed, 1);
    QCOMPARE(sent, QByteArray("\x1b[3~"));
  }

  void paste_sends_clipboard_as_typed() {
    TerminalModel model;
    TerminalView view;
    view.set_model(&model, "vhv-1");
    view.set_writer_state(true, QString());
    QByteArray sent;
    connect(&view, &TerminalView::inputBytes, [&](const QByteArray& b) { sent += b; });
    QApplication::clipboard()->setText("echo a\necho b\n");
    QTest::keyClick(view.text_edit(), Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(sent, QByteArray("echo a\recho b\r"));
  }

  void take_over_button_asks_for_the_lock() {
    TerminalModel model;
    TerminalView view;
    view.set_model(&model, "vhv-1");
    view.set_writer_state(false, "Read-only");
    int asked = 0;
    connect(&view, &TerminalView::takeOverRequested, [&] { ++asked; });
    QTest::mouseClick(view.take_over_button(), Qt::LeftButton);
    QCOMPARE(asked, 1);
  }
};

QTEST_MAIN(TerminalViewTest)
#include "terminal_view_test.moc"
