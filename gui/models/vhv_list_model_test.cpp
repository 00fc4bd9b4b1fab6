#include "gui/models/vhv_list_model.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace nestlab::gui;

namespace {

QJsonArray parse(const char* json) { return QJsonDocument::fromJson(json).array(); }

const char* kTwo = R"([
  {"id":"vhv-1","name":"lab1","state":"ready","owner_uid":0,"pid":4242,"qemu_pid":4250,
   "mem":134217728,"smp":1,"created":1700000000},
  {"id":"vhv-2","name":"lab2","state":"running","owner_uid":0,"pid":4300,"mem":268435456,"smp":2,
   "created":1700000001,"vm":{"id":0,"image":"demo.elf","state":"running"}}
])";

}  // namespace

class VhvListModelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void columns_show_vhv_info() {
    VhvListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.set_vhvs(parse(kTwo));
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.columnCount(), int(VhvListModel::ColumnCount));
    auto cell = [&](int row, int column) { return m.index(row, column).data().toString(); };
    QCOMPARE(cell(0, VhvListModel::IdColumn), QString("vhv-1"));
    QCOMPARE(cell(0, VhvListModel::NameColumn), QString("lab1"));
    QCOMPARE(cell(0, VhvListModel::StateColumn), QString("ready"));
    QCOMPARE(cell(0, VhvListModel::OwnerColumn), QString("root"));
    QCOMPARE(cell(0, VhvListModel::MemoryColumn), QString("128 MiB"));
    QCOMPARE(cell(0, VhvListModel::PidColumn), QString("4242"));
    QCOMPARE(cell(0, VhvListModel::VmStateColumn), QString());
    QCOMPARE(cell(1, VhvListModel::VmStateColumn), QString("running"));
    QVERIFY(m.index(0, VhvListModel::PidColumn).data(Qt::ToolTipRole).toString().contains("4250"));
    QCOMPARE(m.index(1, 0).data(VhvListModel::VhvIdRole).toString(), QString("vhv-2"));
    QCOMPARE(m.index(1, 0).data(VhvListModel::StateRole).toString(), QString("running"));
    QCOMPARE(m.headerData(VhvListModel::VmStateColumn, Qt::Horizontal, Qt::DisplayRole).toString(),
             QString("VM state"));
  }

  void update_keeps_rows_and_signals_changes_only() {
    VhvListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.set_vhvs(parse(kTwo));
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);

    m.set_vhvs(parse(kTwo));  // Same again: nothing moves.
    QCOMPARE(changed.size(), 0);

    m.set_vhvs(parse(R"([
      {"id":"vhv-2","name":"lab2","state":"running","owner_uid":0,"pid":4300,"mem":268435456,
       "vm":{"id":0,"image":"demo.elf","state":"exited","reason":"poweroff","exit_code":0}},
      {"id":"vhv-3","name":"new","state":"starting","owner_uid":0,"pid":5000,"mem":134217728}
    ])"));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m.rowCount(), 2);
    QCOMPARE(m.row_of("vhv-2"), 0);
    QCOMPARE(m.row_of("vhv-3"), 1);
    QCOMPARE(m.row_of("vhv-1"), -1);
    QCOMPARE(m.index(0, VhvListModel::VmStateColumn).data().toString(),
             QString("exited (poweroff, code 0)"));
  }

  void entries_without_id_are_ignored() {
    VhvListModel m;
    m.set_vhvs(parse(R"([{"name":"broken"}, 3, {"id":"vhv-9","state":"ready"}])"));
    QCOMPARE(m.rowCount(), 1);
  }

  void format_bytes_reads_like_people_write() {
    QCOMPARE(format_bytes(512), QString("512 B"));
    QCOMPARE(format_bytes(128ll << 20), QString("128 MiB"));
    QCOMPARE(format_bytes(3ll << 29), QString("1.5 GiB"));
  }

  void usage_columns_from_vhv_stats() {
    VhvListModel m;
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.set_vhvs(parse(kTwo));
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    auto stats = [](qint64 cpu_ns) {
      return QJsonDocument::fromJson(QStringLiteral(R"({"vhv":"vhv-2","usage":{"cpu_ns":%1,
                   "memory":{"current":52428800,"peak":62914560,"limit":null},
                   "pids":{"current":7,"limit":64}}})")
                                         .arg(cpu_ns)
                                         .toUtf8())
          .object();
    };
    auto cell = [&](int column) { return m.index(1, column).data().toString(); };
    m.set_usage("vhv-2", stats(1'000'000'000), 10'000'000'000);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(cell(VhvListModel::CpuColumn), QString("…"));  // One sample: no rate yet.
    QCOMPARE(cell(VhvListModel::MemoryUsedColumn), QString("50 MiB"));
    QCOMPARE(cell(VhvListModel::PidsColumn), QString("7 / 64"));
    QVERIFY(m.index(1, VhvListModel::MemoryUsedColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains("peak 60 MiB"));
    // 0.25 s of CPU over 0.5 s: 50 %.
    m.set_usage("vhv-2", stats(1'250'000'000), 10'500'000'000);
    QCOMPARE(cell(VhvListModel::CpuColumn), QString("50.0"));
    QCOMPARE(m.index(1, 0).data(VhvListModel::CpuPercentRole).toDouble(), 50.0);
    QCOMPARE(m.index(1, 0).data(VhvListModel::PidsRole).toLongLong(), 7);
    QCOMPARE(m.index(0, VhvListModel::CpuColumn).data().toString(), QString());

    // No cgroup: a dash and the kernel's note.
    m.set_usage("vhv-1", QJsonDocument::fromJson(R"({"usage":null,"note":"no cgroup"})").object(),
                1);
    QCOMPARE(m.index(0, VhvListModel::CpuColumn).data().toString(), QString("—"));
    QCOMPARE(m.index(0, VhvListModel::PidsColumn).data(Qt::ToolTipRole).toString(),
             QString("no cgroup"));

    // A VHV that goes away takes its figures with it.
    m.set_vhvs(parse(R"([{"id":"vhv-1","name":"lab1","state":"ready"}])"));
    m.set_usage("vhv-2", stats(2), 11'000'000'000);
    QCOMPARE(m.rowCount(), 1);
  }
};

QTEST_GUILESS_MAIN(VhvListModelTest)
#include "vhv_list_model_test.moc"
