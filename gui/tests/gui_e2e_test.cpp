// End to end: a real nestlabd, the real main window, driven the way a person
// would (shortcuts, dialogs, buttons). Creates a VHV, finds it in the
// inventory tree under its tenant, runs the demo guest (its VM row appears),
// waits for its console text and exit counters, types into the monitor guest,
// runs a second VM beside it and sees the console follow the selected VM row,
// stops that VM, saves a screenshot as an artifact, destroys the VHV through
// the confirmation, grades a lab's reference solution in the labs panel,
// stops the kernel.
// Assertions are on widget and model state, never on pixels.
#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

#include <cstdio>

#include "gui/client/session.h"
#include "gui/tests/kernel_process.h"
#include "gui/tests/wait.h"
#include "gui/tests/window_driver.h"
#include "gui/views/counters_chart.h"
#include "gui/views/create_vhv_dialog.h"
#include "gui/views/inventory_view.h"
#include "gui/views/labs_panel.h"
#include "gui/views/main_window.h"
#include "gui/views/run_guest_dialog.h"
#include "gui/views/terminal_view.h"
#include "gui/views/trace_panel.h"

using namespace nestlab::gui;
using nestlab::gui::test::KernelProcess;
using nestlab::gui::test::wait_until;

using nestlab::gui::test::artifact_dir;
using nestlab::gui::test::make_active;
using nestlab::gui::test::wait_for_visible_child;

class GuiEndToEndTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    // Window layout must not leak into (or come from) the user's settings.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings_dir.path());
    QApplication::setOrganizationName("nestlab");
    QApplication::setApplicationName("nestlab-gui-e2e");
  }

  void banner_while_kernel_is_absent() {
    QTemporaryDir dir;
    const QString path = dir.filePath("nestlab.sock");
    Session session(path);
    MainWindow window(&session, dir.path());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    session.connection()->start();
    QVERIFY(wait_until([&] { return window.banner()->isVisible(); }, 2000));
    QCOMPARE(window.banner()->text(),
             QString("nestlabd is not running at %1 — retrying every 2 s").arg(path));
    QVERIFY(!window.create_action()->isEnabled());
    QVERIFY(!window.run_action()->isEnabled());
    QVERIFY(!window.destroy_action()->isEnabled());
    QVERIFY(!window.pause_action()->isEnabled());
    QVERIFY(!window.resume_action()->isEnabled());
    QVERIFY(!window.stop_action()->isEnabled());
    QVERIFY(!window.start_action()->isEnabled());
    // The labs panel is there (the lab runner needs no kernel to list).
    QVERIFY(window.labs_action()->isEnabled());
    QCOMPARE(window.labs_action()->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_L));
    // The window stays responsive while it retries.
    QElapsedTimer responsive;
    responsive.start();
    QTest::qWait(100);
    QVERIFY(responsive.elapsed() < 1000);
    QVERIFY(window.grab().save(artifact_dir() + "/gui_no_kernel.png"));
  }

  void create_run_watch_destroy() {
    const auto kernel = test::find_kernel();
    if (kernel.path.isEmpty()) QSKIP(qPrintable(kernel.why));
    const auto lowvisor = test::find_shared("lowvisor.elf");
    if (lowvisor.path.isEmpty()) QSKIP(qPrintable(lowvisor.why));
    const auto demo = test::find_shared("guests/demo.elf");
    if (demo.path.isEmpty()) QSKIP(qPrintable(demo.why));

    KernelProcess nestlabd;
    QVERIFY2(nestlabd.start(kernel.path), qPrintable(nestlabd.error()));

    Session session(nestlabd.socket_path());
    MainWindow window(&session, QFileInfo(demo.path).path());
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.banner()->isVisible() ||
            session.connection()->state() != KernelConnection::State::Connected);
    session.connection()->start();
    QVERIFY2(wait_until([&] { return window.create_action()->isEnabled(); }, 5000),
             qPrintable(window.banner()->text()));
    QVERIFY(!window.banner()->isVisible());

    // Create VHV: Ctrl+N, name it, press Create.
    make_active(window);
    QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
    auto* create = wait_for_visible_child<CreateVhvDialog>(&window, 2000);
    QVERIFY2(create, "Ctrl+N did not open the Create VHV dialog");
    create->name_edit()->setText("gui-e2e");
    // Root may put a VHV in any tenant; the tree groups it there.
    create->tenant_edit()->setText("e2e-tenant");
    // Room for two VMs at once (each takes its memory from the VHV's).
    create->memory_mib()->setValue(256);
    QTest::mouseClick(create->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);

    VhvListModel* vhvs = session.vhvs()->model();
    QVERIFY(wait_until([&] { return vhvs->rowCount() == 1; }, 30000));
    const QString id = vhvs->info(0).value("id").toString();
    QCOMPARE(vhvs->info(0).value("name").toString(), QString("gui-e2e"));
    QVERIFY(wait_until([&] { return window.selected_vhv() == id; }, 2000));
    QVERIFY2(wait_until([&] { return window.run_action()->isEnabled(); }, 60000),
             qPrintable(vhvs->info(0).value("state").toString()));

    // The inventory tree: the VHV under its tenant, opened up.
    InventoryView* tree = window.inventory_view();
    InventoryModel* inventory = session.vhvs()->inventory();
    QCOMPARE(static_cast<QAbstractItemModel*>(inventory), tree->model());
    const QString tenant = InventoryModel::tenant_of(vhvs->info(0));
    QCOMPARE(tenant, QString("e2e-tenant"));
    QCOMPARE(vhvs->info(0).value("tenant").toString(), tenant);
    const QModelIndex tenant_row = inventory->index_of_tenant(tenant);
    QVERIFY2(tenant_row.isValid(), qPrintable(tenant));
    QCOMPARE(inventory->index_of_vhv(id).parent(), tenant_row);
    QVERIFY(tree->isExpanded(tenant_row));
    QCOMPARE(inventory->index_of_vhv(id, InventoryModel::StateColumn).data().toString(),
             QString("ready"));
    QCOMPARE(inventory->index_of_vhv(id, InventoryModel::NameColumn).data().toString(),
             QString("gui-e2e"));
    QVERIFY(!inventory->index_of_vm(id).isValid());  // No guest yet.
    QCOMPARE(tree->selectionModel()->selectedRows().value(0), inventory->index_of_vhv(id));

    // Run guest: Ctrl+R, pick demo.elf, append text, press Run. A shortcut
    // reaches only the active window; the closed Create dialog may have left
    // none active on a loaded machine.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window, 5000));
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    auto* run = wait_for_visible_child<RunGuestDialog>(&window, 2000);
    QVERIFY2(run, "Ctrl+R did not open the Run guest dialog");
    run->image_edit()->setText(demo.path);
    run->append_edit()->setText("from-the-gui");
    QPushButton* run_button = run->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(run_button->isEnabled());
    QTest::mouseClick(run_button, Qt::LeftButton);

    // The guest's console reaches the terminal widget.
    TerminalView* terminal = window.terminal();
    const bool printed = wait_until(
        [&] { return terminal->plain_text().contains("demo-guest: done, powering off"); }, 60000);
    QVERIFY2(printed, qPrintable("terminal shows:\n" + terminal->plain_text() + "\nkernel log:\n" +
                                 nestlabd.log()));
    QVERIFY(terminal->plain_text().contains("demo-guest from-the-gui: computing primes"));
    QVERIFY(terminal->plain_text().contains("primes: 2 3 5 7 11 13 17 19 23 29"));
    // Selecting the VHV made us the console's writer.
    QVERIFY(wait_until([&] { return terminal->is_writer(); }, 5000));
    QVERIFY(!terminal->take_over_button()->isVisible());

    // Exit counters, in the model and in the chart.
    CounterModel* counters = session.counters()->model();
    QVERIFY2(
        wait_until([&] { return counters->count("HVC64") > 0 && counters->count("DABT_LOW") > 0; },
                   10000),
        qPrintable(QStringLiteral("HVC64=%1 DABT_LOW=%2")
                       .arg(counters->count("HVC64"))
                       .arg(counters->count("DABT_LOW"))));
    QVERIFY(wait_until(
        [&] {
          for (const auto& [name, height] : window.counters_chart()->bars())
            if (name == "DABT_LOW" && height > 0) return true;
          return false;
        },
        3000));

    // The event log saw the guest start and end.
    EventLogModel* events = session.events()->model();
    auto saw_event = [&](const QString& type) {
      for (int row = 0; row < events->rowCount(); ++row)
        if (events->index(row, 0).data(EventLogModel::TypeRole).toString() == type) return true;
      return false;
    };
    QVERIFY(wait_until([&] { return saw_event("vm-exit"); }, 10000));
    QVERIFY(saw_event("vm-started"));
    // The VM row under the VHV: image, state, exit code.
    QVERIFY(wait_until([&] { return inventory->index_of_vm(id).isValid(); }, 5000));
    const QPersistentModelIndex vm_row = inventory->index_of_vm(id);
    QCOMPARE(vm_row.parent(), QModelIndex(inventory->index_of_vhv(id)));
    QVERIFY(tree->isExpanded(inventory->index_of_vhv(id)));
    QCOMPARE(vm_row.sibling(vm_row.row(), InventoryModel::ImageColumn).data().toString(),
             QString("demo.elf"));
    QVERIFY2(
        wait_until(
            [&] {
              return vm_row.sibling(vm_row.row(), InventoryModel::StateColumn)
                  .data()
                  .toString()
                  .startsWith("exited");
            },
            10000),
        qPrintable(vm_row.sibling(vm_row.row(), InventoryModel::StateColumn).data().toString()));
    QVERIFY(
        !vm_row.sibling(vm_row.row(), InventoryModel::ExitCodeColumn).data().toString().isEmpty());
    // Selecting the VM row keeps its VHV selected (and the docks on it).
    tree->selectionModel()->setCurrentIndex(
        vm_row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(window.selected_vhv(), id);
    QVERIFY(window.destroy_action()->isEnabled());
    tree->select_vhv(id);

    // The trace panel followed the run: the tail of the trap trace ring.
    QTableView* trace = window.trace_panel()->table();
    QVERIFY2(wait_until([&] { return trace->model()->rowCount() > 0; }, 10000),
             qPrintable(window.trace_panel()->status_label()->text()));
    QVERIFY(window.trace_panel()->follow_box()->isChecked());
    bool traced_hvc = false;
    for (int row = 0; row < trace->model()->rowCount(); ++row)
      traced_hvc |=
          trace->model()->index(row, TraceModel::ClassColumn).data().toString() == "HVC64";
    QVERIFY(traced_hvc);

    // Resource use from the VHV's cgroup (or a dash saying there is none),
    // on the VHV's row and summed on its tenant's.
    auto vhv_cell = [&](int column) { return inventory->index_of_vhv(id, column); };
    QVERIFY(wait_until(
        [&] {
          const QString cpu = vhv_cell(InventoryModel::CpuColumn).data().toString();
          return !cpu.isEmpty() && cpu != QString::fromUtf8("…");
        },
        10000));
    if (vhv_cell(InventoryModel::CpuColumn).data().toString() != QString::fromUtf8("—")) {
      QVERIFY(vhv_cell(0).data(VhvListModel::MemoryUsedRole).toLongLong() > 0);
      QVERIFY(vhv_cell(0).data(VhvListModel::PidsRole).toLongLong() >= 1);
      QVERIFY(vhv_cell(0).data(VhvListModel::CpuPercentRole).toDouble() >= 0);
      QCOMPARE(
          inventory->index_of_tenant(tenant, InventoryModel::MemoryUsedColumn).data().toString(),
          vhv_cell(InventoryModel::MemoryUsedColumn).data().toString());
    } else {
      qInfo("no cgroup figures: %s",
            qPrintable(vhv_cell(InventoryModel::CpuColumn).data(Qt::ToolTipRole).toString()));
    }

    // The interactive monitor guest: type into the terminal, see its reply.
    const auto monitor = test::find_shared("guests/monitor.elf");
    QVERIFY2(!monitor.path.isEmpty(), qPrintable(monitor.why));
    {
      QVERIFY(wait_until([&] { return window.run_action()->isEnabled(); }, 30000));
      window.activateWindow();
      QVERIFY(QTest::qWaitForWindowActive(&window, 5000));
      QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
      auto* run2 = wait_for_visible_child<RunGuestDialog>(&window, 2000);
      QVERIFY2(run2, "Ctrl+R did not open the Run guest dialog");
      run2->image_edit()->setText(monitor.path);
      run2->append_edit()->setText(QString());
      run2->memory_mib()->setValue(64);
      QPushButton* run2_button = run2->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
      QVERIFY2(run2_button->isEnabled(), qPrintable(run2->problem_label()->text()));
      QTest::mouseClick(run2_button, Qt::LeftButton);
      QVERIFY2(wait_until([&] { return terminal->plain_text().contains("monitor> "); }, 60000),
               qPrintable("terminal shows:\n" + terminal->plain_text() +
                          "\nstatus: " + window.statusBar()->currentMessage()));
      QVERIFY(terminal->is_writer());
      terminal->text_edit()->setFocus();
      QTest::keyClicks(terminal->text_edit(), "echo hx");
      QTest::keyClick(terminal->text_edit(), Qt::Key_Backspace);  // DEL erases the x.
      QTest::keyClicks(terminal->text_edit(), "i");
      QTest::keyClick(terminal->text_edit(), Qt::Key_Return);
      auto replied = [&] {
        return terminal->plain_text().split('\n').contains(QStringLiteral("hi"));
      };
      QVERIFY2(wait_until(replied, 10000), qPrintable(terminal->plain_text()));

      // Another client (a `nestlab console --force`) takes the writer lock:
      // the terminal says so and offers Take over, which gets it back.
      KernelConnection other(nestlabd.socket_path());
      other.start();
      QVERIFY(
          wait_until([&] { return other.state() == KernelConnection::State::Connected; }, 5000));
      bool forced = false;
      other.call("console.attach",
                 {{"vhv", id}, {"mode", "write"}, {"force", true}, {"replay", false}}, &other,
                 [&](const RpcReply& reply) { forced = reply.ok(); });
      QVERIFY(wait_until([&] { return forced && !terminal->is_writer(); }, 5000));
      QVERIFY(terminal->take_over_button()->isVisible());
      QVERIFY2(terminal->writer_label()->text().contains("took the console over"),
               qPrintable(terminal->writer_label()->text()));
      QTest::keyClicks(terminal->text_edit(), "ignored");  // Read-only: nothing is sent.
      QTest::mouseClick(terminal->take_over_button(), Qt::LeftButton);
      QVERIFY(wait_until([&] { return terminal->is_writer(); }, 5000));
      QVERIFY(!terminal->take_over_button()->isVisible());
      QVERIFY(!terminal->plain_text().contains("ignored"));
      other.stop();

      // Pause (Ctrl+P from the inventory): the state says so and Pause is
      // off; Resume (the toolbar): the monitor answers again.
      tree->setFocus();
      QTest::keyClick(tree, Qt::Key_P, Qt::ControlModifier);
      auto state_text = [&] { return vhv_cell(InventoryModel::StateColumn).data().toString(); };
      QVERIFY2(wait_until([&] { return state_text().endsWith("(paused)"); }, 10000),
               qPrintable(state_text() + " / " + window.statusBar()->currentMessage()));
      QVERIFY(!window.pause_action()->isEnabled());
      QVERIFY(window.resume_action()->isEnabled());
      window.resume_action()->trigger();
      QVERIFY(wait_until([&] { return !state_text().contains("paused"); }, 10000));
      QVERIFY(window.pause_action()->isEnabled());
      terminal->text_edit()->setFocus();
      QTest::keyClicks(terminal->text_edit(), "echo again");
      QTest::keyClick(terminal->text_edit(), Qt::Key_Return);
      QVERIFY2(
          wait_until(
              [&] { return terminal->plain_text().split('\n').contains(QStringLiteral("again")); },
              10000),
          qPrintable(terminal->plain_text()));

      run_a_second_vm(window, session, id);
      if (QTest::currentTestFailed()) return;
    }

    // The artifact: what a person would have seen.
    QTest::qWait(300);  // One more poll so the chart and table settle.
    const QString shot = artifact_dir() + "/gui_e2e.png";
    QVERIFY2(window.grab().save(shot), qPrintable(shot));
    qInfo("screenshot: %s", qPrintable(shot));

    // Stop (Ctrl+Shift+S) ends the running guest after a confirmation and
    // keeps the VHV; Start brings it back, ready for another guest.
    {
      auto state_of = [&] { return vhv_cell(InventoryModel::StateColumn).data().toString(); };
      tree->setFocus();
      QTest::keyClick(tree, Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
      auto* confirm = wait_for_visible_child<QMessageBox>(&window, 2000);
      QVERIFY2(confirm, "Stop did not ask for confirmation while a guest runs");
      QCOMPARE(confirm->objectName(), QString("stopConfirmation"));
      QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
      QVERIFY2(wait_until([&] { return state_of() == QLatin1String("stopped"); }, 30000),
               qPrintable(state_of() + " / " + window.statusBar()->currentMessage()));
      QVERIFY(!window.stop_action()->isEnabled());
      QVERIFY(!window.run_action()->isEnabled());
      QVERIFY(window.start_action()->isEnabled());
      window.start_action()->trigger();
      QVERIFY2(wait_until([&] { return state_of() == QLatin1String("ready"); }, 30000),
               qPrintable(state_of() + " / " + window.statusBar()->currentMessage()));
      QVERIFY(window.run_action()->isEnabled());
      QVERIFY(window.stop_action()->isEnabled());
    }

    // Destroy: Delete, then confirm.
    tree->setFocus();
    QTest::keyClick(tree, Qt::Key_Delete);
    auto* confirm = wait_for_visible_child<QMessageBox>(&window, 2000);
    QVERIFY2(confirm, "Delete did not ask for confirmation");
    QCOMPARE(confirm->objectName(), QString("destroyConfirmation"));
    QVERIFY(confirm->text().contains(id));
    QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
    QVERIFY2(wait_until([&] { return vhvs->rowCount() == 0; }, 30000), qPrintable(nestlabd.log()));
    QVERIFY(!window.destroy_action()->isEnabled());
    QVERIFY(!inventory->index_of_vhv(id).isValid());
    // The tenant went with its last VHV, or stays empty where tenant.list
    // names it.
    QVERIFY(!inventory->index_of_tenant(tenant).isValid() ||
            inventory->rowCount(inventory->index_of_tenant(tenant)) == 0);

    grade_a_lab(window, session);
    if (QTest::currentTestFailed()) return;

    // Closing remembers the layout, and the next window comes back with it:
    // here the event log closed and the inventory's Image column widened.
    window.findChild<QDockWidget*>("eventsDock")->hide();
    window.inventory_view()->header()->resizeSection(InventoryModel::ImageColumn, 321);
    window.close();
    QVERIFY(!QSettings().value("window/state").toByteArray().isEmpty());
    QVERIFY(!QSettings().value("window/inventoryHeader").toByteArray().isEmpty());
    {
      MainWindow again(&session, QFileInfo(demo.path).path());
      QVERIFY(again.findChild<QDockWidget*>("eventsDock")->isHidden());
      QVERIFY(!again.findChild<QDockWidget*>("consoleDock")->isHidden());
      QCOMPARE(again.inventory_view()->header()->sectionSize(InventoryModel::ImageColumn), 321);
    }

    session.connection()->stop();
    nestlabd.stop();
    QVERIFY(!nestlabd.running());
  }

 private:
  // Issue 13: "Run guest" adds VM 1 beside the running monitor (VM 0); its
  // row is selected and console, counters and trace follow it; VM 0's row
  // brings the monitor's console back; Stop VM ends VM 1 and the monitor
  // runs on.
  void run_a_second_vm(MainWindow& window, Session& session, const QString& id) {
    const auto idle = test::find_shared("guests/idle.elf");
    QVERIFY2(!idle.path.isEmpty(), qPrintable(idle.why));
    InventoryView* tree = window.inventory_view();
    InventoryModel* inventory = session.vhvs()->inventory();
    TerminalView* terminal = window.terminal();
    QVERIFY(window.run_action()->isEnabled());
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window, 5000));
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    auto* run = wait_for_visible_child<RunGuestDialog>(&window, 2000);
    QVERIFY2(run, "Ctrl+R did not open the Run guest dialog");
    QCOMPARE(run->weight_box()->value(), 1);
    run->image_edit()->setText(idle.path);
    run->append_edit()->setText("seconds=60 exit=9");
    run->memory_mib()->setValue(32);
    run->weight_box()->setValue(3);
    QTest::mouseClick(run->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);

    // The new VM's row is selected, and everything follows it.
    QVERIFY2(wait_until([&] { return window.selected_vm() == 1; }, 30000),
             qPrintable(window.statusBar()->currentMessage()));
    QCOMPARE(window.selected_vhv(), id);
    const QPersistentModelIndex vm1 = inventory->index_of_vm(id, 0, 1);
    const QPersistentModelIndex vm0 = inventory->index_of_vm(id, 0, 0);
    QVERIFY(vm1.isValid() && vm0.isValid());
    QCOMPARE(tree->selectionModel()->selectedRows().value(0), QModelIndex(vm1));
    QCOMPARE(vm1.sibling(vm1.row(), InventoryModel::ImageColumn).data().toString(),
             QString("idle.elf"));
    auto state_of = [](const QPersistentModelIndex& row) {
      return row.sibling(row.row(), InventoryModel::StateColumn).data().toString();
    };
    QCOMPARE(state_of(vm1), QString("running"));
    QCOMPARE(state_of(vm0), QString("running"));  // The monitor runs on beside it.
    QVERIFY2(vm1.data(Qt::ToolTipRole).toString().contains("weight 3"),
             qPrintable(vm1.data(Qt::ToolTipRole).toString()));
    QCOMPARE(terminal->title(), QString("Serial console of %1, VM 1").arg(id));
    QVERIFY2(
        wait_until([&] { return terminal->plain_text().contains("idle: 60 s of 100 Hz ticks"); },
                   30000),
        qPrintable("terminal shows:\n" + terminal->plain_text()));
    QVERIFY(!terminal->plain_text().contains("monitor> "));
    QVERIFY(wait_until([&] { return terminal->is_writer(); }, 5000));
    QCOMPARE(session.counters()->vm(), 1);
    QCOMPARE(session.traces()->vm(), 1);
    QVERIFY2(wait_until([&] { return session.counters()->last_stats().value("vm").toInt() == 1; },
                        10000),
             qPrintable(window.findChild<QLabel*>("vmSummary")->text()));
    QVERIFY(window.stop_vm_action()->isEnabled());

    // VM 0's row: the monitor's console again, and ours to type into.
    tree->selectionModel()->setCurrentIndex(
        vm0, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(terminal->title(), QString("Serial console of %1, VM 0").arg(id));
    QVERIFY2(wait_until([&] { return terminal->plain_text().contains("monitor> "); }, 10000),
             qPrintable(terminal->plain_text()));
    QVERIFY(!terminal->plain_text().contains("idle: 60 s"));
    QCOMPARE(session.counters()->vm(), 0);
    QCOMPARE(session.traces()->vm(), 0);
    QVERIFY(wait_until([&] { return terminal->is_writer(); }, 5000));

    // Stop VM (Ctrl+Shift+X) on VM 1's row, confirmed: it ends as stopped,
    // the monitor runs on.
    tree->selectionModel()->setCurrentIndex(
        vm1, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    tree->setFocus();
    QTest::keyClick(tree, Qt::Key_X, Qt::ControlModifier | Qt::ShiftModifier);
    auto* confirm = wait_for_visible_child<QMessageBox>(&window, 2000);
    QVERIFY2(confirm, "Stop VM did not ask for confirmation");
    QCOMPARE(confirm->objectName(), QString("stopVmConfirmation"));
    QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
    QVERIFY2(wait_until([&] { return state_of(vm1) == QLatin1String("exited (stopped)"); }, 30000),
             qPrintable(state_of(vm1) + " / " + window.statusBar()->currentMessage()));
    QVERIFY(wait_until([&] { return !window.stop_vm_action()->isEnabled(); }, 5000));
    QCOMPARE(state_of(vm0), QString("running"));
  }

  // The labs panel: Ctrl+L, pick 01-boot, a new directory from the
  // reference solution, Grade; every step passes.
  void grade_a_lab(MainWindow& window, Session& session) {
    LabsPanel* panel = window.labs_panel();
    LabClient* labs = session.labs();
    QVERIFY2(labs->available(), qPrintable(labs->unavailable_reason()));
    window.activateWindow();
    auto* dock = window.findChild<QDockWidget*>("labsDock");
    dock->hide();
    QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier);
    QVERIFY(wait_until([&] { return panel->isVisible(); }, 2000));
    QVERIFY2(wait_until([&] { return panel->lab_box()->count() > 0; }, 30000),
             qPrintable("the lab runner lists no labs: " + labs->status()));
    panel->select_lab("01-boot");
    QCOMPARE(panel->selected_lab(), QString("01-boot"));
    QVERIFY(panel->findChild<QLabel*>("labDescription")->text().contains("Boot contract"));
    panel->solution_box()->setCurrentIndex(
        panel->solution_box()->findData(QVariant::fromValue(LabSolution::Reference)));
    panel->dir_edit()->clear();  // A temporary directory.
    QVERIFY(panel->grade_action()->isEnabled());
    QVERIFY(!panel->stop_action()->isEnabled());
    QVERIFY(panel->findChild<QToolButton*>("actionLabGradeButton")->isEnabled());
    QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier);  // Grade.
    QVERIFY(wait_until([&] { return panel->stop_action()->isEnabled(); }, 2000));
    QVERIFY(!panel->grade_action()->isEnabled());
    LabResultModel* results = labs->results();
    QVERIFY2(wait_until([&] { return !labs->busy(); }, 300000),
             qPrintable(labs->status() + "\n" + labs->log()));
    QVERIFY2(results->has_report(), qPrintable(panel->status_label()->text() + "\n" + labs->log()));
    QCOMPARE(panel->results_table()->model()->rowCount(), 5);
    for (int row = 0; row < results->rowCount(); ++row)
      QCOMPARE(results->index(row, LabResultModel::ResultColumn).data().toString(),
               QString("passed"));
    QVERIFY2(panel->summary_label()->text().contains("100/100"),
             qPrintable(panel->summary_label()->text()));
    QVERIFY(panel->grade_action()->isEnabled());
    QVERIFY(window.grab().save(artifact_dir() + "/gui_e2e_labs.png"));
    // The grader's VHV was ephemeral: nothing is left in the inventory.
    QVERIFY(wait_until([&] { return session.vhvs()->model()->rowCount() == 0; }, 10000));
  }

  QTemporaryDir m_settings_dir;
};

// Runs the tests; when the kernel (or the guests) are not built, reports
// ctest's skip status instead of a pass, with the reason.
int main(int argc, char** argv) {
  QApplication app(argc, argv);
  GuiEndToEndTest test;
  const int failures = QTest::qExec(&test, argc, argv);
  const QString missing = nestlab::gui::test::missing_for_kernel_tests(true);
  if (failures == 0 && !missing.isEmpty()) {
    std::fprintf(stderr, "SKIPPED: %s\n", qPrintable(missing));
    return nestlab::gui::test::kSkipExitCode;
  }
  return failures;
}
#include "gui_e2e_test.moc"
