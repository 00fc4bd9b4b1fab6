#include "gui/models/ansi_parser.h"

#include <QTest>

using namespace nestlab::gui;

namespace {

// Text of all Text actions, with controls written as \n, \r, \b, \t.
QString flatten(const std::vector<ansi::Action>& actions) {
  QString out;
  for (const auto& a : actions) {
    if (const auto* t = std::get_if<ansi::Text>(&a))
      out += t->text;
    else if (const auto* c = std::get_if<ansi::Control>(&a)) {
      switch (*c) {
        case ansi::Control::Newline: out += "\\n"; break;
        case ansi::Control::CarriageReturn: out += "\\r"; break;
        case ansi::Control::Backspace: out += "\\b"; break;
        case ansi::Control::Tab: out += "\\t"; break;
      }
    }
  }
  return out;
}

}  // namespace

class AnsiParserTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void plain_text_and_controls() {
    AnsiParser p;
    QCOMPARE(flatten(p.feed("hello\r\nwor\bld\t!\a")), QString("hello\\r\\nwor\\bld\\t!"));
  }

  void sgr_colours_30_to_37_and_reset() {
    AnsiParser p;
    for (int i = 0; i < 8; ++i) {
      p.feed(QByteArray("\x1b[") + QByteArray::number(30 + i) + "m");
      QCOMPARE(p.style().foreground, ansi::palette_colour(i));
    }
    p.feed("\x1b[1;41m");
    QVERIFY(p.style().bold);
    QCOMPARE(p.style().background, ansi::palette_colour(1));
    p.feed("\x1b[0m");
    QCOMPARE(p.style(), TextStyle{});
    p.feed("\x1b[31m");
    p.feed("\x1b[m");  // An empty parameter means 0.
    QCOMPARE(p.style(), TextStyle{});
  }

  void style_actions_sit_between_the_texts_they_separate() {
    AnsiParser p;
    const auto actions = p.feed("a\x1b[32mb\x1b[0mc");
    QCOMPARE(actions.size(), size_t(5));
    QVERIFY(std::holds_alternative<ansi::Style>(actions[1]));
    QCOMPARE(std::get<ansi::Style>(actions[1]).style.foreground, ansi::palette_colour(2));
    QCOMPARE(std::get<ansi::Text>(actions[2]).text, QString("b"));
  }

  void bright_and_extended_colours() {
    AnsiParser p;
    p.feed("\x1b[91m");
    QCOMPARE(p.style().foreground, ansi::palette_colour(9));
    p.feed("\x1b[38;5;196m");
    QCOMPARE(p.style().foreground, qRgb(255, 0, 0));
    p.feed("\x1b[48;2;1;2;3m");
    QCOMPARE(p.style().background, qRgb(1, 2, 3));
    p.feed("\x1b[39;49m");
    QVERIFY(!p.style().foreground && !p.style().background);
  }

  void other_sequences_are_dropped_not_shown() {
    AnsiParser p;
    QCOMPARE(flatten(p.feed("\x1b[2J\x1b[Hhi\x1b[?25l\x1b]0;title\x07!\x1b(B\x1b"
                            "7.")),
             QString("hi!."));
    QCOMPARE(flatten(p.feed("\x1b]2;t\x1b\\ok")), QString("ok"));
  }

  void erase_in_line_is_reported() {
    AnsiParser p;
    const auto actions = p.feed("\x1b[2K\x1b[K");
    QCOMPARE(actions.size(), size_t(2));
    QCOMPARE(std::get<ansi::EraseInLine>(actions[0]).mode, 2);
    QCOMPARE(std::get<ansi::EraseInLine>(actions[1]).mode, 0);
  }

  void sequences_and_utf8_split_across_feeds() {
    AnsiParser p;
    QString text = flatten(p.feed("a\x1b["));
    text += flatten(p.feed("3"));
    text += flatten(p.feed("1mb\xc3"));
    QCOMPARE(p.style().foreground, ansi::palette_colour(1));
    text += flatten(p.feed("\xa9"));
    QCOMPARE(text, QString::fromUtf8("ab\xc3\xa9"));
  }

  void runaway_sequence_is_abandoned() {
    AnsiParser p;
    QByteArray junk("\x1b[");
    junk.append(QByteArray(AnsiParser::kMaxSequenceBytes + 10, '1'));
    p.feed(junk);
    // The parser is back on the ground: later text shows.
    QVERIFY(flatten(p.feed("visible")).contains("visible"));
  }
};

QTEST_GUILESS_MAIN(AnsiParserTest)
#include "ansi_parser_test.moc"
