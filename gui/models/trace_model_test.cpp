#include "gui/models/trace_model.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace nestlab::gui;

namespace {

QJsonArray entries(int from, int count) {
  QJsonArray out;
  for (int i = from; i < from + count; ++i)
    out.append(QJsonObject{{"vcpu", 0},
                           {"seq", i},
                           {"time_ns", 1500000000ll + i},
                           {"class", "HVC64"},
                           {"ec", 0x16},
                           {"pc", "0x40080010"},
                           {"iss", "0x0"},
                           {"result", "advance"},
                           {"detail", "psci"}});
  return out;
}

}  // namespace

class TraceModelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void rows_show_trace_entries() {
    TraceModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.append(entries(1, 3), 0);
    QCOMPARE(m.rowCount(), 3);
    auto cell = [&](int row, int column) { return m.index(row, column).data().toString(); };
    QCOMPARE(cell(0, TraceModel::SeqColumn), QString("1"));
    QCOMPARE(cell(2, TraceModel::SeqColumn), QString("3"));
    QCOMPARE(cell(0, TraceModel::ClassColumn), QString("HVC64"));
    QCOMPARE(cell(0, TraceModel::PcColumn), QString("0x40080010"));
    QCOMPARE(cell(0, TraceModel::ResultColumn), QString("advance"));
    QCOMPARE(cell(0, TraceModel::TimeColumn), QString("1.500000"));
    QVERIFY(m.index(0, 0).data(Qt::ToolTipRole).toString().contains("EC 0x16"));
  }

  void keeps_the_newest_rows_and_counts_lost() {
    TraceModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.append(entries(0, TraceModel::kMaxRows - 10), 0);
    m.append(entries(TraceModel::kMaxRows - 10, 30), 5);
    QCOMPARE(m.rowCount(), TraceModel::kMaxRows);
    QCOMPARE(m.entry(0).value("seq").toInt(), 20);
    QCOMPARE(m.entry(TraceModel::kMaxRows - 1).value("seq").toInt(), TraceModel::kMaxRows + 19);
    QCOMPARE(m.lost(), 5);
    m.append(entries(0, TraceModel::kMaxRows + 5), 0);  // More than fits in one go.
    QCOMPARE(m.rowCount(), TraceModel::kMaxRows);
    QCOMPARE(m.entry(0).value("seq").toInt(), 5);
    m.clear();
    QCOMPARE(m.rowCount(), 0);
    QCOMPARE(m.lost(), 0);
  }
};

QTEST_GUILESS_MAIN(TraceModelTest)
#include "trace_model_test.moc"
