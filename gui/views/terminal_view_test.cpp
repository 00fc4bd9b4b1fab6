#include "gui/views/terminal_view.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
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

  void input_disabled_and_says_why() {
    TerminalView view;
    QVERIFY(!view.input()->isEnabled());
    QVERIFY(view.input()->toolTip().contains("console"));
  }
};

QTEST_MAIN(TerminalViewTest)
#include "terminal_view_test.moc"
