#include "gui/models/counter_model.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace nestlab::gui;

namespace {

QJsonObject parse(const char* json) { return QJsonDocument::fromJson(json).object(); }

}  // namespace

class CounterModelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void rows_sorted_by_class_with_counts() {
    CounterModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.set_counters(parse(R"({"HVC64":3,"DABT_LOW":120,"SYS64":2})"), 0);
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(m.index(0, 0).data().toString(), QString("DABT_LOW"));
    QCOMPARE(m.index(1, 0).data().toString(), QString("HVC64"));
    QCOMPARE(m.index(2, 0).data().toString(), QString("SYS64"));
    QCOMPARE(m.index(0, CounterModel::CountColumn).data(CounterModel::CountRole).toLongLong(), 120);
    QCOMPARE(m.count("HVC64"), 3);
    QCOMPARE(m.total(), 125);
  }

  void rate_is_per_second_over_the_interval() {
    CounterModel m;
    m.set_counters(parse(R"({"DABT_LOW":100})"), 1000);
    QCOMPARE(m.index(0, 0).data(CounterModel::RateRole).toDouble(), 0.0);
    m.set_counters(parse(R"({"DABT_LOW":600})"), 1500);
    QCOMPARE(m.index(0, 0).data(CounterModel::RateRole).toDouble(), 1000.0);
    m.set_counters(parse(R"({"DABT_LOW":600})"), 2500);
    QCOMPARE(m.index(0, 0).data(CounterModel::RateRole).toDouble(), 0.0);
  }

  void new_class_is_inserted_in_place_without_reset() {
    CounterModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.set_counters(parse(R"({"DABT_LOW":1,"SYS64":1})"), 0);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    m.set_counters(parse(R"({"DABT_LOW":2,"HVC64":1,"SYS64":1})"), 1000);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(m.count("DABT_LOW"), 2);
  }

  void unchanged_sample_signals_nothing() {
    CounterModel m;
    m.set_counters(parse(R"({"HVC64":5})"), 0);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    m.set_counters(parse(R"({"HVC64":5})"), 0);
    QCOMPARE(changed.size(), 0);
  }

  void clear_forgets_everything() {
    CounterModel m;
    m.set_counters(parse(R"({"HVC64":5})"), 0);
    m.clear();
    QCOMPARE(m.rowCount(), 0);
    QCOMPARE(m.total(), 0);
  }
};

QTEST_GUILESS_MAIN(CounterModelTest)
#include "counter_model_test.moc"
