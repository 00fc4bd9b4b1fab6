// The clients and the main window keyed by (VHV, VM), issue 13: console,
// counters and trace follow the selected VM; "Run guest" passes its weight
// and selects the new VM's row; Stop VM sends vm.stop. Against a FakeKernel
// (canned replies, recorded requests): no QEMU, no nestlabd.
#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryFile>
#include <QTest>

#include "gui/client/session.h"
#include "gui/tests/fake_kernel.h"
#include "gui/tests/wait.h"
#include "gui/views/disk_list_editor.h"
#include "gui/views/inventory_view.h"
#include "gui/views/main_window.h"
#include "gui/views/run_guest_dialog.h"
#include "gui/views/terminal_view.h"

using namespace nestlab::gui;
using nestlab::gui::test::FakeKernel;
using nestlab::gui::test::wait_until;

namespace {

QJsonObject console_note(const QString& vhv, int vm, const QByteArray& text) {
  return {{"vhv", vhv}, {"vm", vm}, {"data", QString::fromLatin1(text.toBase64())}};
}

QJsonObject vm_row(int id, const QString& image, const QString& state, int weight = 1) {
  QJsonObject vm{{"vm", id},         {"id", id}, {"image", image}, {"state", state},
                 {"weight", weight}, {"smp", 1}, {"mem", 32 << 20}};
  vm.insert("exit_code", state == QLatin1String("running") ? QJsonValue() : QJsonValue(0));
  return vm;
}

// A VHV with VM 0 (monitor, running) and VM 1 (idle, running, weight 3).
QJsonArray two_vms() {
  const QJsonObject vm0 = vm_row(0, "monitor.elf", "running");
  const QJsonObject vm1 = vm_row(1, "idle.elf", "running", 3);
  return {QJsonObject{{"id", "vhv-1"},
                      {"name", "lab"},
                      {"state", "running"},
                      {"owner_uid", 0},
                      {"tenant", "t"},
                      {"mem", 256 << 20},
                      {"smp", 1},
                      {"vm", vm0},
                      {"vms", QJsonArray{vm0, vm1}}}};
}

// The last request's params for `method`, or {} when there was none.
QJsonObject last(const FakeKernel& kernel, const QString& method) {
  const QList<QJsonObject> all = kernel.params_of(method);
  return all.isEmpty() ? QJsonObject() : all.last();
}

// vm.stats: counters that say which VM was asked (HVC64 = 10 * vm + 1).
QJsonValue stats_of(const QJsonObject& params) {
  const int vm = params.value("vm").toInt();
  return QJsonObject{{"vhv", params.value("vhv")},
                     {"vm", vm},
                     {"counters", QJsonObject{{"HVC64", 10 * vm + 1}}},
                     {"vcpus", QJsonArray{QJsonObject{{"vcpu", 0},
                                                      {"run_ns", 1500000000.0},
                                                      {"wait_ns", 500000000.0},
                                                      {"migrations", 2},
                                                      {"last_cpu", 0}}}}};
}

}  // namespace

class VmClientsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() {
    m_kernel = std::make_unique<FakeKernel>();
    QVERIFY(m_kernel->listening());
    m_connection = std::make_unique<KernelConnection>(m_kernel->socket_path());
  }
  void cleanup() {
    m_connection.reset();
    m_kernel.reset();
  }

  void console_models_are_per_vm() {
    ConsoleClient consoles(m_connection.get());
    connect_now();
    TerminalModel* one = consoles.model_for("vhv-1", 1);
    TerminalModel* zero = consoles.model_for("vhv-1", 0);
    QVERIFY(one && zero && one != zero);
    QCOMPARE(consoles.model_for("vhv-1", 1), one);
    QVERIFY(!consoles.model_for("vhv-1", -1));
    QVERIFY(wait_until([&] { return m_kernel->params_of("console.subscribe").size() == 2; }, 2000));
    QCOMPARE(m_kernel->params_of("console.subscribe").value(0),
             (QJsonObject{{"vhv", "vhv-1"}, {"vm", 1}}));
    QCOMPARE(m_kernel->params_of("console.subscribe").value(1),
             (QJsonObject{{"vhv", "vhv-1"}, {"vm", 0}}));

    m_kernel->notify("console", console_note("vhv-1", 1, "from one\n"));
    m_kernel->notify("console", console_note("vhv-1", 0, "from zero\n"));
    m_kernel->notify("console", console_note("vhv-1", -1, "the VHV's log\n"));
    m_kernel->notify("console", console_note("vhv-2", 1, "another VHV\n"));
    QVERIFY(wait_until([&] { return zero->plain_text().contains("from zero"); }, 2000));
    for (const char* other : {"zero", "log", "another"})
      QVERIFY2(!one->plain_text().contains(other), qPrintable(one->plain_text()));
    QVERIFY(one->plain_text().contains("from one"));
    for (const char* other : {"one", "log", "another"})
      QVERIFY2(!zero->plain_text().contains(other), qPrintable(zero->plain_text()));

    // The writer lock is per VM.
    QSignalSpy changed(&consoles, &ConsoleClient::writerChanged);
    consoles.attach_writer("vhv-1", 1, false);
    QVERIFY(wait_until([&] { return consoles.writer("vhv-1", 1).ours; }, 2000));
    QCOMPARE(changed.value(0), (QVariantList{QString("vhv-1"), 1}));
    QVERIFY(!consoles.writer("vhv-1", 0).ours);
    const QJsonObject attach = last(*m_kernel, "console.attach");
    QCOMPARE(attach.value("vm").toInt(-1), 1);
    QCOMPARE(attach.value("mode").toString(), QString("write"));
    consoles.send_input("vhv-1", 1, "hi\r");
    QVERIFY(wait_until([&] { return !m_kernel->params_of("console.input").isEmpty(); }, 2000));
    QCOMPARE(last(*m_kernel, "console.input"),
             (QJsonObject{{"vhv", "vhv-1"}, {"vm", 1}, {"data", "aGkN"}}));
    // Another client takes VM 0's lock: VM 1's stays ours.
    m_kernel->notify("console.writer-lost",
                     {{"vhv", "vhv-1"}, {"vm", 0}, {"by", QJsonObject{{"pid", 7}, {"uid", 8}}}});
    QVERIFY(wait_until([&] { return changed.size() >= 2; }, 2000));
    QVERIFY(consoles.writer("vhv-1", 1).ours);
    m_kernel->notify("console.writer-lost",
                     {{"vhv", "vhv-1"}, {"vm", 1}, {"by", QJsonObject{{"pid", 7}, {"uid", 8}}}});
    QVERIFY(wait_until([&] { return !consoles.writer("vhv-1", 1).ours; }, 2000));
    QVERIFY(consoles.writer("vhv-1", 1).message.contains("pid 7"));

    // A VHV that went away takes all its VMs' consoles with it.
    QSignalSpy gone_one(one, &QObject::destroyed);
    QSignalSpy gone_zero(zero, &QObject::destroyed);
    consoles.forget("vhv-1");
    QVERIFY(wait_until([&] { return gone_one.size() == 1 && gone_zero.size() == 1; }, 2000));
  }

  void counters_follow_the_vm() {
    m_kernel->respond("vm.stats", &stats_of);
    CounterClient counters(m_connection.get());
    connect_now();
    QSignalSpy stats(&counters, &CounterClient::statsChanged);
    counters.set_vm("vhv-1", 2);
    QCOMPARE(counters.vm(), 2);
    QVERIFY(wait_until([&] { return counters.model()->count("HVC64") == 21; }, 2000));
    QCOMPARE(last(*m_kernel, "vm.stats"), (QJsonObject{{"vhv", "vhv-1"}, {"vm", 2}}));
    QCOMPARE(counters.last_stats().value("vcpus").toArray().size(), 1);
    QVERIFY(m_kernel->params_of("vhv.inspect").isEmpty());

    // Another VM's exit does not touch these counters; this one's does.
    m_kernel->notify("event", {{"vhv", "vhv-1"},
                               {"type", "vm-exit"},
                               {"vm", 1},
                               {"counters", QJsonObject{{"HVC64", 500}}}});
    m_kernel->notify("event", {{"vhv", "vhv-1"},
                               {"type", "vm-exit"},
                               {"vm", 2},
                               {"counters", QJsonObject{{"HVC64", 22}, {"DABT_LOW", 3}}}});
    QVERIFY(wait_until([&] { return counters.model()->count("DABT_LOW") == 3; }, 2000));
    QCOMPARE(counters.model()->count("HVC64"), 22);

    // The selection moves to VM 0 of the same VHV: counters start over.
    counters.set_vm("vhv-1", 0);
    QCOMPARE(counters.model()->count("DABT_LOW"), 0);
    QVERIFY(wait_until([&] { return counters.model()->count("HVC64") == 1; }, 2000));
    QCOMPARE(last(*m_kernel, "vm.stats").value("vm").toInt(-1), 0);
  }

  void trace_follows_the_vm() {
    m_kernel->answer(
        "vm.trace", QJsonObject{{"entries", QJsonArray{}}, {"cursor", QJsonArray{5}}, {"lost", 0}});
    TraceClient traces(m_connection.get());
    connect_now();
    traces.set_vm("vhv-1", 3);
    QCOMPARE(traces.vm(), 3);
    QVERIFY(wait_until([&] { return !m_kernel->params_of("vm.trace").isEmpty(); }, 2000));
    QCOMPARE(last(*m_kernel, "vm.trace").value("vm").toInt(-1), 3);
    // The next poll carries the cursor, still for VM 3; VM 1 starts over.
    QVERIFY(wait_until([&] { return m_kernel->params_of("vm.trace").size() >= 2; }, 3000));
    QCOMPARE(last(*m_kernel, "vm.trace").value("cursor").toArray(), QJsonArray{5});
    QCOMPARE(last(*m_kernel, "vm.trace").value("vm").toInt(-1), 3);
    traces.set_vm("vhv-1", 1);
    QVERIFY(
        wait_until([&] { return last(*m_kernel, "vm.trace").value("vm").toInt(-1) == 1; }, 2000));
    QVERIFY(!last(*m_kernel, "vm.trace").contains("cursor"));
  }

  void run_guest_passes_weight_and_names_the_new_vm() {
    m_kernel->answer("vm.run", QJsonObject{{"vm", 1}, {"weight", 5}, {"smp", 2}, {"mem", 1}});
    VhvClient vhvs(m_connection.get());
    connect_now();
    QTemporaryFile image;
    QVERIFY(image.open());
    image.write("not really an ELF");
    image.flush();
    QSignalSpy started(&vhvs, &VhvClient::vmStarted);
    RunGuestRequest request;
    request.vhv = "vhv-1";
    request.image_path = image.fileName();
    request.mem = 32 << 20;
    request.smp = 2;
    request.weight = 5;
    vhvs.run_guest(request);
    QVERIFY(wait_until([&] { return started.size() == 1; }, 2000));
    QCOMPARE(started.value(0), (QVariantList{QString("vhv-1"), 1}));
    const QJsonObject run = last(*m_kernel, "vm.run");
    QCOMPARE(run.value("weight").toInt(), 5);
    QCOMPARE(run.value("smp").toInt(), 2);
    QCOMPARE(run.value("mem").toInteger(), qint64(32) << 20);

    vhvs.stop_vm("vhv-1", 1);
    QVERIFY(wait_until([&] { return !m_kernel->params_of("vm.stop").isEmpty(); }, 2000));
    QCOMPARE(last(*m_kernel, "vm.stop"), (QJsonObject{{"vhv", "vhv-1"}, {"vm", 1}}));
  }

  // A Linux guest: the kernel, its initrd and two disks (one read-only)
  // reach vm.run as the CLI sends them: fd indexes after the image's.
  void run_guest_sends_initrd_and_disks() {
    m_kernel->answer("vm.run", QJsonObject{{"vm", 0}, {"weight", 1}, {"smp", 2}, {"mem", 1}});
    VhvClient vhvs(m_connection.get());
    connect_now();
    QTemporaryFile kernel, initrd, disk, rodisk;
    for (QTemporaryFile* f : {&kernel, &initrd, &disk, &rodisk}) {
      QVERIFY(f->open());
      f->write(QByteArray(512, '\0'));
      f->flush();
    }
    QSignalSpy started(&vhvs, &VhvClient::vmStarted);
    RunGuestRequest request;
    request.vhv = "vhv-1";
    request.image_path = kernel.fileName();
    request.initrd_path = initrd.fileName();
    request.disks = {{disk.fileName(), false}, {rodisk.fileName(), true}};
    request.append = "console=ttyAMA0";
    vhvs.run_guest(request);
    QVERIFY(wait_until([&] { return started.size() == 1; }, 2000));
    const QJsonObject run = last(*m_kernel, "vm.run");
    QCOMPARE(run.value("image_fd").toInt(-1), 0);
    QCOMPARE(run.value("initrd_fd").toInt(-1), 1);
    QCOMPARE(run.value("initrd_name").toString(), QFileInfo(initrd.fileName()).fileName());
    const QJsonArray disks = run.value("disks").toArray();
    QCOMPARE(disks.size(), 2);
    QCOMPARE(disks[0].toObject().value("fd").toInt(-1), 2);
    QVERIFY(!disks[0].toObject().value("ro").toBool());
    QCOMPARE(disks[1].toObject().value("fd").toInt(-1), 3);
    QVERIFY(disks[1].toObject().value("ro").toBool());

    // A disk that cannot be opened: nothing is sent, the reason is given.
    QSignalSpy failed(&vhvs, &VhvClient::actionFailed);
    request.disks = {{"/nonexistent/disk.img", false}};
    vhvs.run_guest(request);
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.first().at(1).toString().contains("/nonexistent/disk.img"));
    QCOMPARE(m_kernel->params_of("vm.run").size(), 1);
  }

  // The dialog's kernel, initrd and disk fields: Run only when each can be
  // opened as asked, with a line saying which cannot.
  void run_dialog_takes_a_linux_guest() {
    RunGuestDialog dialog("vhv-1", QDir::tempPath());
    QPushButton* run = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(!run->isEnabled());  // No image yet.
    QTemporaryFile kernel, initrd, disk;
    for (QTemporaryFile* f : {&kernel, &initrd, &disk}) {
      QVERIFY(f->open());
      f->write(QByteArray(512, '\0'));
      f->flush();
    }
    dialog.image_edit()->setText(kernel.fileName());
    QVERIFY(run->isEnabled());
    dialog.initrd_edit()->setText("/nonexistent/initrd");
    QVERIFY(!run->isEnabled());
    QVERIFY(dialog.problem_label()->text().contains("/nonexistent/initrd"));
    dialog.initrd_edit()->setText(initrd.fileName());
    QVERIFY(run->isEnabled());
    QVERIFY(dialog.problem_label()->text().isEmpty());

    DiskListEditor* disks = dialog.disk_editor();
    QVERIFY(disks->add_disk("/nonexistent/disk.img"));
    QVERIFY(!run->isEnabled());
    QVERIFY(dialog.problem_label()->text().contains("no such file"));
    disks->path_edit(0)->setText(disk.fileName());
    QVERIFY(run->isEnabled());
    disks->read_only_box(0)->setChecked(true);
    QVERIFY(run->isEnabled());
    for (int i = 1; i < RunGuestRequest::kMaxDisks; ++i) QVERIFY(disks->add_disk());
    QVERIFY(!disks->add_disk());  // at most 8
    QVERIFY(!disks->add_button()->isEnabled());
    for (int i = RunGuestRequest::kMaxDisks - 1; i >= 1; --i) disks->remove_disk(i);
    QCOMPARE(disks->row_count(), 1);

    dialog.append_edit()->setText("console=ttyAMA0 nestlab.shell");
    const RunGuestRequest request = dialog.request();
    QCOMPARE(request.image_path, kernel.fileName());
    QCOMPARE(request.initrd_path, initrd.fileName());
    QCOMPARE(request.disks.size(), 1);
    QCOMPARE(request.disks[0].path, disk.fileName());
    QVERIFY(request.disks[0].read_only);
    QCOMPARE(request.append, QString("console=ttyAMA0 nestlab.shell"));
  }

  void run_dialog_has_a_weight() {
    RunGuestDialog dialog("vhv-1", QDir::tempPath());
    QCOMPARE(dialog.weight_box()->minimum(), 1);
    QCOMPARE(dialog.weight_box()->maximum(), 10000);
    QCOMPARE(dialog.weight_box()->value(), 1);
    QCOMPARE(dialog.request().weight, 1);
    dialog.weight_box()->setValue(3);
    dialog.smp_box()->setValue(2);
    dialog.memory_mib()->setValue(64);
    const RunGuestRequest request = dialog.request();
    QCOMPARE(request.weight, 3);
    QCOMPARE(request.smp, 2);
    QCOMPARE(request.mem, qint64(64) << 20);
  }

  // The window: selecting a VM row points the console, counters and trace
  // at that VM; a VHV row at its main VM; Run guest selects the new VM.
  void window_docks_follow_the_selected_vm() {
    QJsonArray listed = two_vms();
    m_kernel->respond("vhv.list", [&listed](const QJsonObject&) { return QJsonValue(listed); });
    m_kernel->respond("vm.stats", &stats_of);
    m_kernel->answer("vm.trace",
                     QJsonObject{{"entries", QJsonArray{}}, {"cursor", QJsonArray{}}, {"lost", 0}});
    m_kernel->answer("vm.run", QJsonObject{{"vm", 2}, {"weight", 4}, {"smp", 1}, {"mem", 1}});
    m_connection.reset();
    Session session(m_kernel->socket_path());
    MainWindow window(&session, QDir::tempPath());
    window.show();
    session.connection()->start();
    InventoryModel* inventory = session.vhvs()->inventory();
    QVERIFY(wait_until([&] { return inventory->index_of_vm("vhv-1", 0, 1).isValid(); }, 5000));
    // The first VHV is selected by itself: its main VM (VhvInfo's vm) is 0.
    QVERIFY(wait_until([&] { return window.selected_vhv() == "vhv-1"; }, 2000));
    QCOMPARE(window.selected_vm(), 0);
    QCOMPARE(session.counters()->vm(), 0);
    QVERIFY(!window.stop_vm_action()->isEnabled());  // A VHV row, not a VM row.

    window.select_vm("vhv-1", 1);
    QCOMPARE(window.selected_vhv(), QString("vhv-1"));
    QCOMPARE(window.selected_vm(), 1);
    QCOMPARE(session.counters()->vm(), 1);
    QCOMPARE(session.traces()->vm(), 1);
    QCOMPARE(window.terminal()->title(), QString("Serial console of vhv-1, VM 1"));
    QVERIFY(window.stop_vm_action()->isEnabled());
    QVERIFY(wait_until(
        [&] {
          const QJsonObject s = last(*m_kernel, "console.subscribe");
          return s.value("vm").toInt(-1) == 1 &&
                 last(*m_kernel, "vm.trace").value("vm").toInt(-1) == 1 &&
                 last(*m_kernel, "console.attach").value("vm").toInt(-1) == 1;
        },
        3000));
    QVERIFY(wait_until([&] { return session.counters()->model()->count("HVC64") == 11; }, 3000));
    QLabel* summary = window.findChild<QLabel*>("vmSummary");
    QVERIFY(wait_until([&] { return summary->text().contains("ran 1.50 s"); }, 3000));
    QVERIFY2(summary->text().contains("VM 1 <i>idle.elf</i>"), qPrintable(summary->text()));
    QVERIFY2(summary->text().contains("weight 3"), qPrintable(summary->text()));

    // VM 1's output shows; VM 0's does not, until VM 0 is selected.
    m_kernel->notify("console", console_note("vhv-1", 0, "monitor> "));
    m_kernel->notify("console", console_note("vhv-1", 1, "idle: 60 s of 100 Hz ticks\n"));
    QVERIFY(
        wait_until([&] { return window.terminal()->plain_text().contains("idle: 60 s"); }, 2000));
    QVERIFY(!window.terminal()->plain_text().contains("monitor>"));
    // Typing goes to VM 1.
    window.terminal()->set_writer_state(true, QString());
    emit window.terminal()->inputBytes("x");
    QVERIFY(wait_until([&] { return !m_kernel->params_of("console.input").isEmpty(); }, 2000));
    QCOMPARE(last(*m_kernel, "console.input").value("vm").toInt(-1), 1);

    // Back to the VHV row: its main VM, 0.
    window.select_vhv("vhv-1");
    QCOMPARE(window.selected_vm(), 0);
    QCOMPARE(session.counters()->vm(), 0);
    QCOMPARE(session.traces()->vm(), 0);
    QCOMPARE(window.terminal()->title(), QString("Serial console of vhv-1, VM 0"));
    QVERIFY(!window.stop_vm_action()->isEnabled());

    // Stop VM on VM 1's row asks, then sends vm.stop for it.
    window.select_vm("vhv-1", 1);
    QVERIFY(window.stop_vm_action()->isEnabled());
    window.stop_vm_action()->trigger();
    auto* confirm = window.findChild<QMessageBox*>("stopVmConfirmation");
    QVERIFY(confirm);
    QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
    QVERIFY(wait_until([&] { return !m_kernel->params_of("vm.stop").isEmpty(); }, 2000));
    QCOMPARE(last(*m_kernel, "vm.stop"), (QJsonObject{{"vhv", "vhv-1"}, {"vm", 1}}));
    // Its row says exited at the next list: Stop VM goes off.
    {
      QJsonObject vhv = listed[0].toObject();
      QJsonArray vms = vhv.value("vms").toArray();
      QJsonObject stopped = vm_row(1, "idle.elf", "exited", 3);
      stopped.insert("reason", "stopped");
      vms[1] = stopped;
      vhv.insert("vms", vms);
      listed[0] = vhv;
    }
    QVERIFY(wait_until([&] { return !window.stop_vm_action()->isEnabled(); }, 5000));
    QCOMPARE(window.selected_vm(), 1);

    // Run guest adds a VM: its row is selected once the list has it.
    QTemporaryFile image;
    QVERIFY(image.open());
    image.write("elf");
    image.flush();
    window.run_action()->trigger();
    auto* run = window.findChild<RunGuestDialog*>();
    QVERIFY(run);
    run->image_edit()->setText(image.fileName());
    run->weight_box()->setValue(4);
    QTest::mouseClick(run->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    QVERIFY(wait_until([&] { return !m_kernel->params_of("vm.run").isEmpty(); }, 2000));
    QCOMPARE(last(*m_kernel, "vm.run").value("weight").toInt(), 4);
    {
      QJsonObject vhv = listed[0].toObject();
      QJsonArray vms = vhv.value("vms").toArray();
      vms.append(vm_row(2, QFileInfo(image.fileName()).fileName(), "running", 4));
      vhv.insert("vms", vms);
      listed[0] = vhv;
    }
    QVERIFY(wait_until([&] { return window.selected_vm() == 2; }, 5000));
    QCOMPARE(window.selected_vhv(), QString("vhv-1"));
    QCOMPARE(session.counters()->vm(), 2);
    QCOMPARE(window.terminal()->title(), QString("Serial console of vhv-1, VM 2"));
    QVERIFY(window.stop_vm_action()->isEnabled());
    session.connection()->stop();
    m_kernel->answer("vhv.list", QJsonArray{});  // `listed` goes out of scope.
  }

 private:
  void connect_now() {
    m_connection->start();
    QVERIFY(wait_until([&] { return m_connection->state() == KernelConnection::State::Connected; },
                       5000));
  }

  std::unique_ptr<FakeKernel> m_kernel;
  std::unique_ptr<KernelConnection> m_connection;
};

QTEST_MAIN(VmClientsTest)
#include "vm_clients_test.moc"
