#include "gui/models/event_log_model.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QTest>

using namespace nestlab::gui;

namespace {

QJsonObject parse(const char* json) { return QJsonDocument::fromJson(json).object(); }

}  // namespace

class EventLogModelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void events_in_words() {
    EventLogModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.append_event(parse(R"({"vhv":"vhv-3","type":"vhv-ready"})"));
    m.append_event(parse(R"({"vhv":"vhv-3","type":"vm-started","vm":0})"));
    m.append_event(parse(R"({"vhv":"vhv-3","type":"vm-exit","vm":0,"reason":"poweroff","code":3,
                             "message":"guest powered off","counters":{"HVC64":3,"DABT_LOW":40}})"));
    m.append_event(parse(R"({"vhv":"vhv-3","type":"log","text":"lowvisor: hi\n"})"));
    m.append_event(parse(R"({"vhv":"vhv-4","type":"something-new","answer":42})"));
    QCOMPARE(m.rowCount(), 5);
    auto cell = [&](int row, int column) { return m.index(row, column).data().toString(); };
    QCOMPARE(cell(0, EventLogModel::VhvColumn), QString("vhv-3"));
    QCOMPARE(cell(0, EventLogModel::TypeColumn), QString("vhv-ready"));
    QCOMPARE(cell(1, EventLogModel::DetailsColumn), QString("VM 0"));
    QCOMPARE(cell(2, EventLogModel::DetailsColumn),
             QString("VM 0 poweroff, code 3: guest powered off [DABT_LOW=40 HVC64=3]"));
    QCOMPARE(cell(3, EventLogModel::DetailsColumn), QString("lowvisor: hi"));
    QCOMPARE(cell(4, EventLogModel::DetailsColumn), QString("answer=42"));
    QCOMPARE(m.index(2, 0).data(EventLogModel::TypeRole).toString(), QString("vm-exit"));
  }

  void notes_are_marked_as_ours() {
    EventLogModel m;
    m.append_note("connected");
    QCOMPARE(m.index(0, EventLogModel::TypeColumn).data().toString(), QString("gui"));
    QCOMPARE(m.index(0, EventLogModel::DetailsColumn).data().toString(), QString("connected"));
  }

  void bounded_oldest_first_out() {
    EventLogModel m(nullptr, 10);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 25; ++i) m.append_note(QString::number(i));
    QCOMPARE(m.rowCount(), 10);
    QCOMPARE(m.index(0, EventLogModel::DetailsColumn).data().toString(), QString("15"));
    QCOMPARE(m.index(9, EventLogModel::DetailsColumn).data().toString(), QString("24"));
  }
};

QTEST_GUILESS_MAIN(EventLogModelTest)
#include "event_log_model_test.moc"
