#include "gui/models/terminal_model.h"

#include <QSignalSpy>
#include <QTest>

using namespace nestlab::gui;

class TerminalModelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void lines_and_carriage_returns() {
    TerminalModel m;
    m.feed("hello\r\nworld\n");
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.line(0).text, QString("hello"));
    QCOMPARE(m.line(1).text, QString("world"));
    QCOMPARE(m.line(2).text, QString());
    m.feed("progress 10%\rprogress 100%\n");
    QCOMPARE(m.line(2).text, QString("progress 100%"));
    m.feed("abcdef\rXY\n");
    QCOMPARE(m.line(3).text, QString("XYcdef"));
  }

  void line_split_across_feeds_is_one_line() {
    TerminalModel m;
    m.feed("Hel");
    m.feed("lo from the gu");
    m.feed("est\n");
    QCOMPARE(m.line(0).text, QString("Hello from the guest"));
  }

  void colours_become_runs() {
    TerminalModel m;
    m.feed("ok \x1b[32mPASS\x1b[0m done");
    const TerminalLine& l = m.line(0);
    QCOMPARE(l.text, QString("ok PASS done"));
    QCOMPARE(l.runs.size(), 3);
    QCOMPARE(l.runs[1].start, 3);
    QCOMPARE(l.runs[1].length, 4);
    QCOMPARE(l.runs[1].style.foreground, ansi::palette_colour(2));
    QVERIFY(!l.runs[2].style.foreground);
    int covered = 0;
    for (const StyledRun& r : l.runs) covered += r.length;
    QCOMPARE(covered, int(l.text.size()));
  }

  void overwrite_keeps_runs_consistent() {
    TerminalModel m;
    m.feed("\x1b[31mredred\x1b[0m\r\x1b[34mbl");
    const TerminalLine& l = m.line(0);
    QCOMPARE(l.text, QString("bldred"));
    QCOMPARE(l.runs.size(), 2);
    QCOMPARE(l.runs[0].style.foreground, ansi::palette_colour(4));
    QCOMPARE(l.runs[1].start, 2);
    QCOMPARE(l.runs[1].style.foreground, ansi::palette_colour(1));
  }

  void backspace_tab_and_erase() {
    TerminalModel m;
    m.feed("abc\b\bX\n");
    QCOMPARE(m.line(0).text, QString("aXc"));
    m.feed("a\tb\n");
    QCOMPARE(m.line(1).text, QString("a       b"));
    m.feed("hello\r\x1b[Kbye\n");
    QCOMPARE(m.line(2).text, QString("bye"));
    m.feed("12345\b\b\x1b[1K\n");
    QCOMPARE(m.line(3).text, QString("    5"));
  }

  void scrollback_is_bounded_and_drops_the_oldest() {
    TerminalModel m(nullptr, 100);
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    QByteArray lots;
    for (int i = 0; i < 1000; ++i) lots += "line " + QByteArray::number(i) + "\n";
    m.feed(lots);
    QCOMPARE(m.rowCount(), 100);
    QCOMPARE(m.line(0).text, QString("line 901"));
    QCOMPARE(m.line(98).text, QString("line 999"));
    QVERIFY(!removed.isEmpty());
    // And it stays bounded as output keeps coming.
    for (int i = 0; i < 50; ++i) m.feed("more\n");
    QCOMPARE(m.rowCount(), 100);
  }

  void default_bound_is_ten_thousand_lines() {
    TerminalModel m;
    QCOMPARE(m.max_lines(), 10000);
    m.feed(QByteArray(20000, '\n'));
    QCOMPARE(m.rowCount(), 10000);
  }

  void last_line_changes_are_signalled_once_per_feed() {
    TerminalModel m;
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    m.feed("a\x1b[31mb\x1b[0mc");
    QCOMPARE(changed.size(), 1);
    QCOMPARE(inserted.size(), 0);
    m.feed("\nx");
    QCOMPARE(inserted.size(), 1);
  }

  void clear_starts_over() {
    TerminalModel m;
    m.feed("\x1b[31mred\nmore");
    m.clear();
    QCOMPARE(m.rowCount(), 1);
    QCOMPARE(m.plain_text(), QString());
    m.feed("plain");
    QVERIFY(!m.line(0).runs[0].style.foreground);
  }
};

QTEST_GUILESS_MAIN(TerminalModelTest)
#include "terminal_model_test.moc"
