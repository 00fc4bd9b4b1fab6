// The management console's window: the inventory (tenants -> VHVs -> VMs)
// in the middle, docks for the selected VM's console, exit counters and trace
// ring (a VHV row stands for its main VM) and the event log, the labs panel, a banner while the
// kernel is away. It reads models and calls client actions; it never touches the socket.
#pragma once

#include <QMainWindow>
#include <QPointer>

class QAction;
class QDockWidget;
class QLabel;
class QTableView;

namespace nestlab::gui {

class CountersChart;
class InventoryView;
class LabsPanel;
class Session;
class TerminalView;
class TracePanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  // `guests_dir` is where the Run dialog's file picker starts.
  MainWindow(Session* session, const QString& guests_dir, QWidget* parent = nullptr);

  // The selected VHV's id (a VM row selects its VHV), empty when none.
  QString selected_vhv() const;
  void select_vhv(const QString& vhv_id);
  // The VM the docks show: the selected VM row's, or the selected VHV row's
  // main VM (InventoryModel::main_vm); -1 when no VHV is selected.
  int selected_vm() const;
  void select_vm(const QString& vhv_id, int vm);

  QAction* create_action() const { return m_create; }
  QAction* destroy_action() const { return m_destroy; }
  QAction* run_action() const { return m_run; }
  QAction* refresh_action() const { return m_refresh; }
  QAction* pause_action() const { return m_pause; }
  QAction* resume_action() const { return m_resume; }
  QAction* stop_action() const { return m_stop; }
  QAction* stop_vm_action() const { return m_stop_vm; }
  QAction* start_action() const { return m_start; }
  QAction* labs_action() const { return m_labs; }
  InventoryView* inventory_view() const { return m_inventory; }
  LabsPanel* labs_panel() const { return m_labs_panel; }
  TerminalView* terminal() const { return m_terminal; }
  TracePanel* trace_panel() const { return m_trace; }
  CountersChart* counters_chart() const { return m_chart; }
  QLabel* banner() const { return m_banner; }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_actions();
  void build_docks();
  // The labs dock, tabbed with `tab_with`, and the Labs menu
  // (main_window_labs.cpp).
  QDockWidget* build_labs(QDockWidget* tab_with);
  void restore_settings();
  void save_settings();

  void on_selection_changed();
  void on_connection_state();
  void update_actions();
  void update_vm_summary();
  void update_writer_state();
  void show_failure(const QString& action, const QString& message);

  void create_vhv();
  void destroy_vhv();
  void stop_vhv();
  void stop_vm();
  void run_guest();

  Session* m_session;  // Not owned.
  QString m_guests_dir;
  QString m_shown_vhv;  // The VHV the docks show,
  int m_shown_vm = -1;  // and its VM.

  QAction* m_create = nullptr;
  QAction* m_destroy = nullptr;
  QAction* m_run = nullptr;
  QAction* m_pause = nullptr;
  QAction* m_resume = nullptr;
  QAction* m_stop = nullptr;
  QAction* m_stop_vm = nullptr;
  QAction* m_start = nullptr;
  QAction* m_refresh = nullptr;
  QAction* m_quit = nullptr;
  QAction* m_labs = nullptr;  // Shows the labs dock.
  QLabel* m_banner = nullptr;
  QLabel* m_connection_label = nullptr;
  QLabel* m_vm_summary = nullptr;
  InventoryView* m_inventory = nullptr;
  QTableView* m_counter_table = nullptr;
  QTableView* m_event_table = nullptr;
  TerminalView* m_terminal = nullptr;
  TracePanel* m_trace = nullptr;
  CountersChart* m_chart = nullptr;
  LabsPanel* m_labs_panel = nullptr;
};

}  // namespace nestlab::gui
