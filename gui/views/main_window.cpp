#include "gui/views/main_window.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include "gui/client/session.h"
#include "gui/views/counters_chart.h"
#include "gui/views/create_vhv_dialog.h"
#include "gui/views/inventory_view.h"
#include "gui/views/run_guest_dialog.h"
#include "gui/views/terminal_view.h"
#include "gui/views/trace_panel.h"

namespace nestlab::gui {

namespace {

QTableView* make_table(QAbstractItemModel* model, QWidget* parent, const QString& name) {
  auto* table = new QTableView(parent);
  table->setObjectName(name);
  table->setModel(model);
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setSelectionMode(QAbstractItemView::SingleSelection);
  table->verticalHeader()->hide();
  table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
  table->horizontalHeader()->setStretchLastSection(true);
  table->setAlternatingRowColors(true);
  table->setWordWrap(false);
  return table;
}

}  // namespace

MainWindow::MainWindow(Session* session, const QString& guests_dir, QWidget* parent)
    : QMainWindow(parent), m_session(session), m_guests_dir(guests_dir) {
  setWindowTitle(tr("nestlab"));
  setObjectName(QStringLiteral("mainWindow"));

  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  m_banner = new QLabel(central);
  m_banner->setObjectName(QStringLiteral("connectionBanner"));
  m_banner->setWordWrap(true);
  m_banner->setMargin(8);
  m_banner->setStyleSheet(
      QStringLiteral("background:#fff4ce; color:#5c4400; border-bottom:1px solid #e0c36b;"));
  m_inventory = new InventoryView(session->vhvs()->inventory(), central);
  layout->addWidget(m_banner);
  layout->addWidget(m_inventory, 1);
  setCentralWidget(central);

  build_actions();
  build_docks();

  m_connection_label = new QLabel(this);
  statusBar()->addPermanentWidget(m_connection_label);

  KernelConnection* connection = session->connection();
  connect(connection, &KernelConnection::stateChanged, this, &MainWindow::on_connection_state);
  connect(connection, &KernelConnection::disconnected, this, &MainWindow::on_connection_state);
  connect(m_inventory->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &MainWindow::on_selection_changed);

  VhvListModel* vhvs = session->vhvs()->model();
  // A removed row may have held the selection.
  connect(session->vhvs()->inventory(), &QAbstractItemModel::rowsRemoved, this,
          &MainWindow::on_selection_changed);
  // A VHV row's main VM may change (and with it what the docks show), a VM's
  // state does (and with it Stop VM).
  connect(vhvs, &QAbstractItemModel::dataChanged, this, &MainWindow::on_selection_changed);
  connect(vhvs, &QAbstractItemModel::dataChanged, this, &MainWindow::update_vm_summary);
  connect(vhvs, &QAbstractItemModel::modelReset, this, &MainWindow::on_selection_changed);

  VhvClient* client = session->vhvs();
  connect(client, &VhvClient::vhvCreated, m_inventory, &InventoryView::select_when_listed);
  // "Run guest" adds a VM: its row is selected, so the docks show it.
  connect(client, &VhvClient::vmStarted, m_inventory, &InventoryView::select_vm_when_listed);
  connect(client, &VhvClient::actionSucceeded, this, [this](const QString& message) {
    statusBar()->showMessage(message, 8000);
    m_session->events()->note(message);
  });
  connect(client, &VhvClient::actionFailed, this, &MainWindow::show_failure);
  CounterModel* counter_model = session->counters()->model();
  connect(counter_model, &QAbstractItemModel::dataChanged, this, &MainWindow::update_vm_summary);
  connect(counter_model, &QAbstractItemModel::rowsInserted, this, &MainWindow::update_vm_summary);
  connect(session->counters(), &CounterClient::statsChanged, this, &MainWindow::update_vm_summary);

  // Keep the newest event in sight unless the user scrolled up.
  EventLogModel* events = session->events()->model();
  connect(events, &QAbstractItemModel::rowsInserted, this, [this] {
    QScrollBar* bar = m_event_table->verticalScrollBar();
    if (bar->value() >= bar->maximum() - 2)
      QMetaObject::invokeMethod(m_event_table, &QTableView::scrollToBottom, Qt::QueuedConnection);
  });

  resize(1200, 800);
  restore_settings();
  on_connection_state();
  on_selection_changed();
}

void MainWindow::build_actions() {
  m_create = new QAction(tr("&Create VHV…"), this);
  m_create->setObjectName(QStringLiteral("actionCreate"));
  m_create->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_N));
  m_create->setToolTip(tr("Create a virtual hypervisor (Ctrl+N)"));
  connect(m_create, &QAction::triggered, this, &MainWindow::create_vhv);

  m_destroy = new QAction(tr("&Destroy VHV…"), this);
  m_destroy->setObjectName(QStringLiteral("actionDestroy"));
  m_destroy->setShortcut(QKeySequence::Delete);
  m_destroy->setToolTip(tr("Destroy the selected VHV and everything running in it (Delete)"));
  connect(m_destroy, &QAction::triggered, this, &MainWindow::destroy_vhv);

  m_run = new QAction(tr("&Run guest…"), this);
  m_run->setObjectName(QStringLiteral("actionRun"));
  m_run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  m_run->setToolTip(tr("Run a guest image in a new VM of the selected VHV (Ctrl+R)"));
  connect(m_run, &QAction::triggered, this, &MainWindow::run_guest);

  m_pause = new QAction(tr("&Pause"), this);
  m_pause->setObjectName(QStringLiteral("actionPause"));
  m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
  m_pause->setToolTip(tr("Stop the selected VHV's CPUs and its guest's clock (Ctrl+P)"));
  connect(m_pause, &QAction::triggered, this,
          [this] { m_session->vhvs()->pause_vhv(selected_vhv()); });

  m_resume = new QAction(tr("Res&ume"), this);
  m_resume->setObjectName(QStringLiteral("actionResume"));
  m_resume->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
  m_resume->setToolTip(tr("Let the selected paused VHV run on (Ctrl+Shift+P)"));
  connect(m_resume, &QAction::triggered, this,
          [this] { m_session->vhvs()->resume_vhv(selected_vhv()); });

  m_stop = new QAction(tr("S&top VHV…"), this);
  m_stop->setObjectName(QStringLiteral("actionStop"));
  m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
  m_stop->setToolTip(
      tr("Shut the selected VHV down but keep it, to start it again later (Ctrl+Shift+S)"));
  connect(m_stop, &QAction::triggered, this, &MainWindow::stop_vhv);

  m_stop_vm = new QAction(tr("Stop V&M…"), this);
  m_stop_vm->setObjectName(QStringLiteral("actionStopVm"));
  m_stop_vm->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
  m_stop_vm->setToolTip(
      tr("Stop the selected running VM; the VHV's other VMs run on (Ctrl+Shift+X)"));
  connect(m_stop_vm, &QAction::triggered, this, &MainWindow::stop_vm);

  m_start = new QAction(tr("St&art VHV"), this);
  m_start->setObjectName(QStringLiteral("actionStart"));
  m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
  m_start->setToolTip(tr("Start the selected stopped VHV again (Ctrl+Shift+A)"));
  connect(m_start, &QAction::triggered, this,
          [this] { m_session->vhvs()->start_vhv(selected_vhv()); });

  m_refresh = new QAction(tr("Re&fresh"), this);
  m_refresh->setObjectName(QStringLiteral("actionRefresh"));
  m_refresh->setShortcut(QKeySequence(Qt::Key_F5));
  m_refresh->setToolTip(tr("Ask the kernel for the VHV list and counters now (F5)"));
  connect(m_refresh, &QAction::triggered, this, [this] {
    m_session->vhvs()->refresh();
    m_session->counters()->refresh();
  });

  m_quit = new QAction(tr("&Quit"), this);
  m_quit->setObjectName(QStringLiteral("actionQuit"));
  m_quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
  connect(m_quit, &QAction::triggered, this, &QWidget::close);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(m_quit);
  QMenu* vhv = menuBar()->addMenu(tr("&VHV"));
  vhv->setToolTipsVisible(true);
  vhv->addActions({m_create, m_start, m_stop, m_destroy, m_run, m_stop_vm, m_pause, m_resume});
  vhv->addSeparator();
  vhv->addAction(m_refresh);

  QToolBar* toolbar = addToolBar(tr("Actions"));
  toolbar->setObjectName(QStringLiteral("actionsToolBar"));
  toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  toolbar->addActions(
      {m_create, m_start, m_stop, m_destroy, m_run, m_stop_vm, m_pause, m_resume, m_refresh});
}

void MainWindow::build_docks() {
  setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);

  m_terminal = new TerminalView(this);
  auto* console_dock = new QDockWidget(tr("Console"), this);
  console_dock->setObjectName(QStringLiteral("consoleDock"));
  console_dock->setWidget(m_terminal);
  addDockWidget(Qt::BottomDockWidgetArea, console_dock);
  ConsoleClient* consoles = m_session->consoles();
  // Typing goes to the console the terminal shows.
  connect(m_terminal, &TerminalView::inputBytes, consoles,
          [this, consoles](const QByteArray& bytes) {
            consoles->send_input(m_shown_vhv, m_shown_vm, bytes);
          });
  connect(m_terminal, &TerminalView::takeOverRequested, consoles,
          [this, consoles] { consoles->attach_writer(m_shown_vhv, m_shown_vm, true); });
  connect(consoles, &ConsoleClient::writerChanged, this, [this](const QString& vhv_id, int vm) {
    if (vhv_id == m_shown_vhv && vm == m_shown_vm) update_writer_state();
  });

  auto* counters = new QWidget(this);
  auto* counters_layout = new QVBoxLayout(counters);
  counters_layout->setContentsMargins(4, 4, 4, 4);
  m_vm_summary = new QLabel(counters);
  m_vm_summary->setObjectName(QStringLiteral("vmSummary"));
  m_vm_summary->setWordWrap(true);
  m_chart = new CountersChart(m_session->counters()->model(), counters);
  m_chart->setObjectName(QStringLiteral("countersChart"));
  m_counter_table =
      make_table(m_session->counters()->model(), counters, QStringLiteral("counterTable"));
  m_counter_table->setSelectionMode(QAbstractItemView::NoSelection);
  auto* split = new QSplitter(Qt::Vertical, counters);
  split->addWidget(m_chart);
  split->addWidget(m_counter_table);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  counters_layout->addWidget(m_vm_summary);
  counters_layout->addWidget(split, 1);
  auto* counters_dock = new QDockWidget(tr("Exit counters"), this);
  counters_dock->setObjectName(QStringLiteral("countersDock"));
  counters_dock->setWidget(counters);
  addDockWidget(Qt::RightDockWidgetArea, counters_dock);

  m_trace = new TracePanel(m_session->traces(), this);
  auto* trace_dock = new QDockWidget(tr("Trace ring"), this);
  trace_dock->setObjectName(QStringLiteral("traceDock"));
  trace_dock->setWidget(m_trace);
  addDockWidget(Qt::RightDockWidgetArea, trace_dock);
  splitDockWidget(counters_dock, trace_dock, Qt::Vertical);

  m_event_table = make_table(m_session->events()->model(), this, QStringLiteral("eventTable"));
  const int time_width =
      m_event_table->fontMetrics().horizontalAdvance(QStringLiteral("00:00:00.000")) + 16;
  m_event_table->horizontalHeader()->resizeSection(EventLogModel::TimeColumn, time_width);
  m_event_table->horizontalHeader()->resizeSection(EventLogModel::TypeColumn, time_width);
  auto* events_dock = new QDockWidget(tr("Event log"), this);
  events_dock->setObjectName(QStringLiteral("eventsDock"));
  events_dock->setWidget(m_event_table);
  addDockWidget(Qt::BottomDockWidgetArea, events_dock);
  splitDockWidget(console_dock, events_dock, Qt::Horizontal);
  // First-run proportions; a saved layout replaces them.
  resizeDocks({console_dock, events_dock}, {700, 500}, Qt::Horizontal);
  resizeDocks({console_dock}, {380}, Qt::Vertical);
  resizeDocks({counters_dock}, {460}, Qt::Horizontal);

  QDockWidget* labs_dock = build_labs(trace_dock);

  QMenu* view = menuBar()->addMenu(tr("V&iew"));
  view->addActions({console_dock->toggleViewAction(), counters_dock->toggleViewAction(),
                    events_dock->toggleViewAction(), trace_dock->toggleViewAction(),
                    labs_dock->toggleViewAction()});
}

QString MainWindow::selected_vhv() const { return m_inventory->selected_vhv(); }

void MainWindow::select_vhv(const QString& vhv_id) { m_inventory->select_vhv(vhv_id); }

int MainWindow::selected_vm() const { return m_inventory->selected_vm(); }

void MainWindow::select_vm(const QString& vhv_id, int vm) { m_inventory->select_vm(vhv_id, vm); }

void MainWindow::on_selection_changed() {
  const QString id = selected_vhv();
  const int vm = id.isEmpty() ? -1 : selected_vm();
  // A VM row and its VHV's row show the same VM when it is the VHV's main
  // VM; so does a row removed elsewhere in the tree.
  if (id == m_shown_vhv && vm == m_shown_vm && !id.isEmpty()) {
    update_actions();
    return;
  }
  m_shown_vhv = id;
  m_shown_vm = vm;
  m_session->counters()->set_vm(id, vm);
  m_session->traces()->set_vm(id, vm);
  m_terminal->set_model(m_session->consoles()->model_for(id, vm), tr("%1, VM %2").arg(id).arg(vm));
  m_session->consoles()->attach_writer(id, vm, false);
  update_writer_state();
  m_chart->set_title(id.isEmpty() ? QString()
                                  : tr("Exits per exception class — %1, VM %2").arg(id).arg(vm));
  update_actions();
  update_vm_summary();
}

void MainWindow::update_writer_state() {
  if (m_shown_vhv.isEmpty()) return;
  const ConsoleClient::Writer writer = m_session->consoles()->writer(m_shown_vhv, m_shown_vm);
  m_terminal->set_writer_state(writer.ours, writer.message);
}

void MainWindow::on_connection_state() {
  KernelConnection* connection = m_session->connection();
  const bool up = connection->state() == KernelConnection::State::Connected;
  m_banner->setVisible(!up);
  m_banner->setText(connection->status_text());
  if (up) {
    const QJsonObject hello = connection->hello();
    m_connection_label->setText(tr("● nestlabd %1 · %2 mode · %3")
                                    .arg(hello.value("version").toString(),
                                         hello.value("mode").toString(),
                                         connection->socket_path()));
    m_connection_label->setStyleSheet(QStringLiteral("color:#2ea043"));
  } else {
    m_connection_label->setText(tr("● not connected"));
    m_connection_label->setStyleSheet(QStringLiteral("color:#cf222e"));
  }
  update_actions();
}

void MainWindow::update_actions() {
  const bool up = m_session->connection()->state() == KernelConnection::State::Connected;
  const QString id = selected_vhv();
  const int row = m_session->vhvs()->model()->row_of(id);
  const QString state =
      row < 0 ? QString() : m_session->vhvs()->model()->info(row).value("state").toString();
  m_create->setEnabled(up);
  m_refresh->setEnabled(up);
  m_destroy->setEnabled(up && row >= 0);
  const bool can_run = up && (state == QLatin1String("ready") || state == QLatin1String("running"));
  m_run->setEnabled(can_run);
  const bool paused = row >= 0 && m_session->vhvs()->model()->paused(id);
  m_pause->setEnabled(can_run && !paused);
  m_stop->setEnabled(can_run);
  m_start->setEnabled(up &&
                      (state == QLatin1String("stopped") || state == QLatin1String("failed")));
  m_resume->setEnabled(can_run);
  // Stop VM: a VM row (not a VHV row standing for its main VM) that runs.
  const QJsonObject vm = m_inventory->vm_row_selected() ? m_session->vhvs()
                                                              ->inventory()
                                                              ->index_of_vm(id, 0, selected_vm())
                                                              .data(InventoryModel::VmRole)
                                                              .toJsonObject()
                                                        : QJsonObject();
  m_stop_vm->setEnabled(up && vm.value("state").toString() == QLatin1String("running"));
  m_run->setToolTip(can_run || row < 0
                        ? tr("Run a guest image in a new VM of the selected VHV (Ctrl+R)")
                        : tr("%1 is %2; guests run on a ready VHV").arg(id, state));
}

void MainWindow::update_vm_summary() {
  const CounterClient* counters = m_session->counters();
  const QString id = counters->vhv();
  if (id.isEmpty()) {
    m_vm_summary->setText(tr("Select a VHV or VM to see its guest's exits."));
    return;
  }
  // The list is the freshest word on the VM; the counters and the vCPU
  // accounting come from vm.stats.
  const QJsonObject vm = m_session->vhvs()
                             ->inventory()
                             ->index_of_vm(id, 0, counters->vm())
                             .data(InventoryModel::VmRole)
                             .toJsonObject();
  if (vm.isEmpty()) {
    m_vm_summary->setText(tr("<b>%1</b>: VM %2 has not run yet.").arg(id).arg(counters->vm()));
    return;
  }
  QString text =
      tr("<b>%1</b> · VM %2 <i>%3</i> · %4 · weight %5 · %6 exits")
          .arg(id)
          .arg(counters->vm())
          .arg(vm.value("image").toString().toHtmlEscaped(), vm.value("state").toString())
          .arg(vm.value("weight").toInt(1))
          .arg(counters->model()->total());
  // The lowvisor scheduler's accounting, summed over the VM's vCPUs.
  const QJsonArray vcpus = counters->last_stats().value("vcpus").toArray();
  if (!vcpus.isEmpty()) {
    double run_ns = 0, wait_ns = 0;
    qint64 migrations = 0;
    for (const QJsonValue& v : vcpus) {
      run_ns += v.toObject().value("run_ns").toDouble();
      wait_ns += v.toObject().value("wait_ns").toDouble();
      migrations += v.toObject().value("migrations").toInteger();
    }
    text += tr(" · %n vCPU(s): ran %1 s, waited %2 s, %3 migration(s)", nullptr,
               static_cast<int>(vcpus.size()))
                .arg(run_ns / 1e9, 0, 'f', 2)
                .arg(wait_ns / 1e9, 0, 'f', 2)
                .arg(migrations);
  }
  m_vm_summary->setText(text);
}

void MainWindow::show_failure(const QString& action, const QString& message) {
  statusBar()->showMessage(tr("%1 failed: %2").arg(action, message), 15000);
  m_session->events()->note(tr("%1 failed: %2").arg(action, message));
  auto* box = new QMessageBox(QMessageBox::Warning, tr("%1 failed").arg(action), message,
                              QMessageBox::Ok, this);
  box->setObjectName(QStringLiteral("failureBox"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

void MainWindow::create_vhv() {
  auto* dialog = new CreateVhvDialog(this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this,
          [this, dialog] { m_session->vhvs()->create_vhv(dialog->request()); });
  dialog->open();
}

void MainWindow::destroy_vhv() {
  const QString id = selected_vhv();
  if (id.isEmpty()) return;
  auto* box =
      new QMessageBox(QMessageBox::Question, tr("Destroy %1?").arg(id),
                      tr("Destroy %1? Its QEMU, highvisor and any running guest are stopped "
                         "and its state is removed.")
                          .arg(id),
                      QMessageBox::Yes | QMessageBox::Cancel, this);
  box->setObjectName(QStringLiteral("destroyConfirmation"));
  box->setDefaultButton(QMessageBox::Cancel);
  box->button(QMessageBox::Yes)->setText(tr("Destroy"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  connect(box, &QMessageBox::finished, this, [this, id](int result) {
    if (result == QMessageBox::Yes) m_session->vhvs()->destroy_vhv(id);
  });
  box->open();
}

void MainWindow::stop_vhv() {
  const QString id = selected_vhv();
  if (id.isEmpty()) return;
  const int row = m_session->vhvs()->model()->row_of(id);
  const QJsonObject info = row < 0 ? QJsonObject() : m_session->vhvs()->model()->info(row);
  // Every VM that runs ends with the VHV (a kernel from before issue 13 has
  // only `vm`).
  QJsonArray vms = info.value("vms").toArray();
  if (!info.contains("vms") && info.value("vm").isObject()) vms.append(info.value("vm"));
  QStringList running;
  for (const QJsonValue& v : vms)
    if (v.toObject().value("state").toString() == QLatin1String("running"))
      running << tr("VM %1 %2")
                     .arg(v.toObject().value("id").toInt())
                     .arg(v.toObject().value("image").toString());
  if (running.isEmpty()) {
    m_session->vhvs()->stop_vhv(id);
    return;
  }
  // Stopping ends running guests: ask first.
  auto* box = new QMessageBox(QMessageBox::Question, tr("Stop %1?").arg(id),
                              tr("Stop %1? Its running guests (%2) end; the VHV stays and can be "
                                 "started again.")
                                  .arg(id, running.join(tr(", "))),
                              QMessageBox::Yes | QMessageBox::Cancel, this);
  box->setObjectName(QStringLiteral("stopConfirmation"));
  box->setDefaultButton(QMessageBox::Cancel);
  box->button(QMessageBox::Yes)->setText(tr("Stop"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  connect(box, &QMessageBox::finished, this, [this, id](int result) {
    if (result == QMessageBox::Yes) m_session->vhvs()->stop_vhv(id);
  });
  box->open();
}

void MainWindow::stop_vm() {
  const QString id = selected_vhv();
  const int vm = selected_vm();
  if (id.isEmpty() || vm < 0 || !m_inventory->vm_row_selected()) return;
  const QJsonObject info = m_session->vhvs()
                               ->inventory()
                               ->index_of_vm(id, 0, vm)
                               .data(InventoryModel::VmRole)
                               .toJsonObject();
  // Stopping ends a running guest: ask first, as Stop VHV does.
  auto* box = new QMessageBox(QMessageBox::Question, tr("Stop VM %1 of %2?").arg(vm).arg(id),
                              tr("Stop VM %1 of %2? Its guest (%3) ends; the VHV's other VMs run "
                                 "on.")
                                  .arg(vm)
                                  .arg(id, info.value("image").toString()),
                              QMessageBox::Yes | QMessageBox::Cancel, this);
  box->setObjectName(QStringLiteral("stopVmConfirmation"));
  box->setDefaultButton(QMessageBox::Cancel);
  box->button(QMessageBox::Yes)->setText(tr("Stop VM"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  connect(box, &QMessageBox::finished, this, [this, id, vm](int result) {
    if (result == QMessageBox::Yes) m_session->vhvs()->stop_vm(id, vm);
  });
  box->open();
}

void MainWindow::run_guest() {
  const QString id = selected_vhv();
  if (id.isEmpty()) return;
  auto* dialog = new RunGuestDialog(id, m_guests_dir, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this,
          [this, dialog] { m_session->vhvs()->run_guest(dialog->request()); });
  dialog->open();
}

void MainWindow::restore_settings() {
  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  m_inventory->header()->restoreState(settings.value("window/inventoryHeader").toByteArray());
}

void MainWindow::save_settings() {
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  settings.setValue("window/inventoryHeader", m_inventory->header()->saveState());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  save_settings();
  event->accept();
}

}  // namespace nestlab::gui
