#include "gui/models/inventory_model.h"

#include <pwd.h>
#include <unistd.h>

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace nestlab::gui;

namespace {

QJsonArray parse(const QString& json) { return QJsonDocument::fromJson(json.toUtf8()).array(); }

// A uid with no user name on this host, for the "uid-N" fallback.
qint64 unnamed_uid() {
  for (qint64 uid = 61000; uid < 62000; ++uid)
    if (!::getpwuid(static_cast<uid_t>(uid))) return uid;
  return -1;
}

QString text(const QModelIndex& index) { return index.data().toString(); }

}  // namespace

class InventoryModelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // Today's kernel: no `tenant` in VhvInfo; the owner's user name stands in.
  void tenants_fall_back_to_the_owner() {
    VhvListModel vhvs;
    InventoryModel m(&vhvs);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const qint64 nobody = unnamed_uid();
    QVERIFY(nobody >= 0);
    vhvs.set_vhvs(parse(QStringLiteral(R"([
      {"id":"vhv-1","name":"a","state":"ready","owner_uid":0,"pid":10,"mem":134217728},
      {"id":"vhv-2","name":"b","state":"running","owner_uid":%1,"pid":11,"mem":134217728,
       "vm":{"id":0,"image":"demo.elf","state":"running"}},
      {"id":"vhv-3","name":"c","state":"ready","owner_uid":0,"pid":12,"mem":134217728}
    ])")
                            .arg(nobody)));
    QCOMPARE(m.rowCount(), 2);
    const QModelIndex root_tenant = m.index_of_tenant("root");
    const QModelIndex other = m.index_of_tenant(QStringLiteral("uid-%1").arg(nobody));
    QVERIFY(root_tenant.isValid());
    QVERIFY(other.isValid());
    QCOMPARE(m.rowCount(root_tenant), 2);
    QCOMPARE(m.rowCount(other), 1);
    QCOMPARE(text(m.index(0, InventoryModel::NameColumn, root_tenant)), QString("a"));
    QCOMPARE(text(m.index(1, InventoryModel::IdColumn, root_tenant)), QString("vhv-3"));
    QCOMPARE(text(root_tenant.siblingAtColumn(InventoryModel::StateColumn)), QString("2 VHV(s)"));
    QCOMPARE(m.index_of_vhv("vhv-3").data(InventoryModel::TenantRole).toString(), QString("root"));
    QCOMPARE(m.index_of_vhv("vhv-1", InventoryModel::OwnerColumn).data().toString(),
             QString("root"));
    QCOMPARE(m.index_of_vhv("vhv-1").data(InventoryModel::KindRole).value<InventoryModel::Kind>(),
             InventoryModel::Kind::Vhv);
    // A VHV without a guest has no VM row.
    QCOMPARE(m.rowCount(m.index_of_vhv("vhv-1")), 0);
    QVERIFY(!m.index_of_vm("vhv-1").isValid());
  }

  // The kernel with tenants: VhvInfo's `tenant` wins over the owner.
  void tenant_field_groups_vhvs() {
    VhvListModel vhvs;
    InventoryModel m(&vhvs);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    vhvs.set_vhvs(parse(R"([
      {"id":"vhv-1","name":"a","state":"ready","owner_uid":0,"tenant":"physics"},
      {"id":"vhv-2","name":"b","state":"ready","owner_uid":0,"tenant":"chemistry"},
      {"id":"vhv-3","name":"c","state":"ready","owner_uid":0,"tenant":"physics"}
    ])"));
    QCOMPARE(m.rowCount(), 2);
    // Tenants sorted by name.
    QCOMPARE(text(m.index(0, 0)), QString("chemistry"));
    QCOMPARE(text(m.index(1, 0)), QString("physics"));
    QCOMPARE(m.rowCount(m.index(1, 0)), 2);
    QVERIFY(!m.index_of_tenant("root").isValid());
    QCOMPARE(InventoryModel::vhv_of(m.index_of_vhv("vhv-3")), QString("vhv-3"));
    QCOMPARE(InventoryModel::vhv_of(m.index_of_tenant("physics")), QString());

    // The last VHV of a tenant goes: so does the tenant.
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    vhvs.set_vhvs(parse(R"([
      {"id":"vhv-1","name":"a","state":"ready","owner_uid":0,"tenant":"physics"},
      {"id":"vhv-3","name":"c","state":"ready","owner_uid":0,"tenant":"physics"}
    ])"));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(removed.size(), 2);  // vhv-2, then its tenant.
    QCOMPARE(m.rowCount(), 1);
    QCOMPARE(text(m.index(0, 0)), QString("physics"));
  }

  // The VM row: image, state, exit code; it appears with the guest, and the
  // VHV row (and the selection on it) stays put.
  void vm_rows_follow_the_guest() {
    VhvListModel vhvs;
    InventoryModel m(&vhvs);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    vhvs.set_vhvs(parse(R"([{"id":"vhv-1","name":"a","state":"ready","owner_uid":0}])"));
    const QPersistentModelIndex vhv = m.index_of_vhv("vhv-1");
    QVERIFY(vhv.isValid());
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    vhvs.set_vhvs(parse(R"([{"id":"vhv-1","name":"a","state":"running","owner_uid":0,
      "vm":{"id":0,"image":"demo.elf","state":"running"}}])"));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(0).value<QModelIndex>(), QModelIndex(vhv));
    QVERIFY(vhv.isValid());
    QCOMPARE(text(vhv.sibling(vhv.row(), InventoryModel::StateColumn)), QString("running"));
    const QModelIndex vm = m.index_of_vm("vhv-1");
    QCOMPARE(vm.parent(), QModelIndex(vhv));
    QCOMPARE(text(vm), QString("VM 0"));
    QCOMPARE(text(vm.siblingAtColumn(InventoryModel::ImageColumn)), QString("demo.elf"));
    QCOMPARE(text(vm.siblingAtColumn(InventoryModel::StateColumn)), QString("running"));
    QCOMPARE(text(vm.siblingAtColumn(InventoryModel::ExitCodeColumn)), QString());
    // A VM row belongs to its VHV: selecting it selects the VHV.
    QCOMPARE(InventoryModel::vhv_of(vm), QString("vhv-1"));
    QCOMPARE(vm.data(InventoryModel::KindRole).value<InventoryModel::Kind>(),
             InventoryModel::Kind::Vm);

    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    vhvs.set_vhvs(parse(R"([{"id":"vhv-1","name":"a","state":"ready","owner_uid":0,
      "vm":{"id":0,"image":"demo.elf","state":"exited","reason":"poweroff","exit_code":7}}])"));
    QCOMPARE(text(vm.siblingAtColumn(InventoryModel::StateColumn)), QString("exited (poweroff)"));
    QCOMPARE(text(vm.siblingAtColumn(InventoryModel::ExitCodeColumn)), QString("7"));
    bool vm_row_changed = false;
    for (const QList<QVariant>& signal : changed)
      vm_row_changed |= signal.at(0).value<QModelIndex>() == vm;
    QVERIFY(vm_row_changed);
  }

  // Issue 13: one row per VM of VhvInfo's `vms`, in id order, each with its
  // own state and exit code; rows come and go as VMs do.
  void several_vms_per_vhv() {
    VhvListModel vhvs;
    InventoryModel m(&vhvs);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    vhvs.set_vhvs(parse(R"([{"id":"vhv-1","name":"a","state":"running","owner_uid":0,
      "vm":{"id":0,"image":"a.elf","state":"running"},
      "vms":[{"id":0,"vm":0,"image":"a.elf","state":"running","exit_code":null,"weight":1},
             {"id":2,"vm":2,"image":"c.elf","state":"running","exit_code":null,"weight":3,
              "smp":2,"mem":33554432}]}])"));
    const QPersistentModelIndex vhv = m.index_of_vhv("vhv-1");
    QCOMPARE(m.rowCount(vhv), 2);
    QCOMPARE(text(m.index(0, 0, vhv)), QString("VM 0"));
    QCOMPARE(text(m.index(1, 0, vhv)), QString("VM 2"));
    const QPersistentModelIndex vm2 = m.index_of_vm("vhv-1", 0, 2);
    QCOMPARE(vm2.row(), 1);
    QCOMPARE(InventoryModel::vm_of(vm2), 2);
    QCOMPARE(InventoryModel::vm_of(vhv), -1);
    QCOMPARE(InventoryModel::vhv_of(vm2), QString("vhv-1"));
    QCOMPARE(text(vm2.sibling(vm2.row(), InventoryModel::ImageColumn)), QString("c.elf"));
    QVERIFY(vm2.data(Qt::ToolTipRole).toString().contains("weight 3, 2 vCPU(s), 32 MiB"));

    // VM 1 arrives between them; VM 2 exits with its own code; VM 0 runs on.
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    vhvs.set_vhvs(parse(R"([{"id":"vhv-1","name":"a","state":"running","owner_uid":0,
      "vms":[{"id":0,"image":"a.elf","state":"running","exit_code":null},
             {"id":1,"image":"b.elf","state":"running","exit_code":null},
             {"id":2,"image":"c.elf","state":"exited","reason":"poweroff","exit_code":9}]}])"));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(m.rowCount(vhv), 3);
    QCOMPARE(vm2.row(), 2);  // the persistent index followed its row
    QCOMPARE(text(vm2.sibling(vm2.row(), InventoryModel::StateColumn)),
             QString("exited (poweroff)"));
    QCOMPARE(text(vm2.sibling(vm2.row(), InventoryModel::ExitCodeColumn)), QString("9"));
    QCOMPARE(text(m.index(0, InventoryModel::StateColumn, vhv)), QString("running"));
    QCOMPARE(text(m.index(0, InventoryModel::ExitCodeColumn, vhv)), QString());

    // A VM the kernel no longer lists goes; the others stay where they are.
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    vhvs.set_vhvs(parse(R"([{"id":"vhv-1","name":"a","state":"running","owner_uid":0,
      "vms":[{"id":0,"image":"a.elf","state":"running"},
             {"id":2,"image":"c.elf","state":"exited","exit_code":9}]}])"));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(m.rowCount(vhv), 2);
    QCOMPARE(InventoryModel::vm_of(m.index(1, 0, vhv)), 2);
    QVERIFY(!m.index_of_vm("vhv-1", 0, 1).isValid());
  }

  // Resource use from vhv.stats, per VHV and summed per tenant, updated live.
  void usage_per_vhv_and_tenant() {
    VhvListModel vhvs;
    InventoryModel m(&vhvs);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    vhvs.set_vhvs(parse(R"([
      {"id":"vhv-1","name":"a","state":"running","owner_uid":0,"tenant":"t"},
      {"id":"vhv-2","name":"b","state":"running","owner_uid":0,"tenant":"t"}
    ])"));
    auto stats = [](qint64 cpu_ns, qint64 memory, qint64 pids) {
      return QJsonDocument::fromJson(QStringLiteral(R"({"usage":{"cpu_ns":%1,
                   "memory":{"current":%2,"peak":%2,"limit":null},
                   "pids":{"current":%3,"limit":null}}})")
                                         .arg(cpu_ns)
                                         .arg(memory)
                                         .arg(pids)
                                         .toUtf8())
          .object();
    };
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    vhvs.set_usage("vhv-1", stats(0, 10 << 20, 3), 1'000'000'000);
    vhvs.set_usage("vhv-2", stats(0, 20 << 20, 4), 1'000'000'000);
    QVERIFY(changed.size() >= 2);
    const QModelIndex tenant = m.index_of_tenant("t");
    QCOMPARE(text(tenant.siblingAtColumn(InventoryModel::MemoryUsedColumn)), QString("30 MiB"));
    QCOMPARE(text(tenant.siblingAtColumn(InventoryModel::PidsColumn)), QString("7"));
    QCOMPARE(text(tenant.siblingAtColumn(InventoryModel::CpuColumn)), QString());  // One sample.
    vhvs.set_usage("vhv-1", stats(500'000'000, 10 << 20, 3), 2'000'000'000);
    vhvs.set_usage("vhv-2", stats(250'000'000, 20 << 20, 4), 2'000'000'000);
    QCOMPARE(text(m.index_of_vhv("vhv-1", InventoryModel::CpuColumn)), QString("50.0"));
    QCOMPARE(text(m.index_of_vhv("vhv-2", InventoryModel::MemoryUsedColumn)), QString("20 MiB"));
    QCOMPARE(m.index_of_vhv("vhv-2").data(VhvListModel::PidsRole).toLongLong(), 4);
    QCOMPARE(text(tenant.siblingAtColumn(InventoryModel::CpuColumn)), QString("75.0"));

    vhvs.set_paused("vhv-2", true);
    QCOMPARE(text(m.index_of_vhv("vhv-2", InventoryModel::StateColumn)),
             QString("running (paused)"));
    QVERIFY(m.index_of_vhv("vhv-2").data(VhvListModel::PausedRole).toBool());
  }

  // tenant.list: tenants show before they have VHVs, with their limits.
  void tenants_from_tenant_list() {
    VhvListModel vhvs;
    InventoryModel m(&vhvs);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.set_tenants(QJsonDocument::fromJson(R"([
      {"tenant":"physics","limits":{"memory":1073741824,"cpu_weight":null,"cpu_quota":50,
       "pids":null},"vhvs":[],"cgroup":"/nestlab/physics",
       "usage":{"cpu_ns":1,"memory":{"current":1048576},"pids":{"current":2}}}
    ])")
                      .array());
    QCOMPARE(m.rowCount(), 1);
    const QPersistentModelIndex physics = m.index_of_tenant("physics");
    QCOMPARE(m.rowCount(physics), 0);
    const QString tip = physics.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains("memory 1 GiB") && tip.contains("CPU quota 50 %") &&
                 tip.contains("/nestlab/physics") && tip.contains("2 PIDs"),
             qPrintable(tip));

    vhvs.set_vhvs(parse(R"([{"id":"vhv-1","name":"a","state":"ready","tenant":"physics"}])"));
    QCOMPARE(m.rowCount(), 1);
    QCOMPARE(m.rowCount(physics), 1);
    // Gone from tenant.list, the tenant stays while it has a VHV...
    m.set_tenants({});
    QVERIFY(physics.isValid());
    // ...and goes with its last one.
    vhvs.set_vhvs({});
    QVERIFY(!physics.isValid());
    QCOMPARE(m.rowCount(), 0);
  }

  void clear_and_refill() {
    VhvListModel vhvs;
    InventoryModel m(&vhvs);
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QJsonArray one =
        parse(R"([{"id":"vhv-1","name":"a","state":"ready","owner_uid":0,"tenant":"t"}])");
    vhvs.set_vhvs(one);
    vhvs.clear();
    QCOMPARE(m.rowCount(), 0);
    vhvs.set_vhvs(one);
    QCOMPARE(m.rowCount(), 1);
    // A model made over a filled source shows it at once.
    InventoryModel late(&vhvs);
    QVERIFY(late.index_of_vhv("vhv-1").isValid());
  }
};

QTEST_MAIN(InventoryModelTest)
#include "inventory_model_test.moc"
