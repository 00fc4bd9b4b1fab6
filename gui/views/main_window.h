// The management console's window: the VHV table in the middle, docks for
// the selected VHV's console, exit counters and the event log, a banner
// while the kernel is away. It reads models and calls client actions; it
// never touches the socket.
#pragma once

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QTableView;

namespace nestlab::gui {

class CountersChart;
class Session;
class TerminalView;
class TracePanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  // `guests_dir` is where the Run dialog's file picker starts.
  MainWindow(Session* session, const QString& guests_dir, QWidget* parent = nullptr);

  // The selected VHV's id, empty when none.
  QString selected_vhv() const;
  void select_vhv(const QString& vhv_id);

  QAction* create_action() const { return m_create; }
  QAction* destroy_action() const { return m_destroy; }
  QAction* run_action() const { return m_run; }
  QAction* refresh_action() const { return m_refresh; }
  QAction* pause_action() const { return m_pause; }
  QAction* resume_action() const { return m_resume; }
  QTableView* vhv_table() const { return m_vhv_table; }
  TerminalView* terminal() const { return m_terminal; }
  TracePanel* trace_panel() const { return m_trace; }
  CountersChart* counters_chart() const { return m_chart; }
  QLabel* banner() const { return m_banner; }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_actions();
  void build_docks();
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
  void run_guest();

  Session* m_session;  // Not owned.
  QString m_guests_dir;
  QString m_select_when_listed;  // A VHV we created, selected once the list shows it.

  QAction* m_create = nullptr;
  QAction* m_destroy = nullptr;
  QAction* m_run = nullptr;
  QAction* m_pause = nullptr;
  QAction* m_resume = nullptr;
  QAction* m_refresh = nullptr;
  QAction* m_quit = nullptr;
  QLabel* m_banner = nullptr;
  QLabel* m_connection_label = nullptr;
  QLabel* m_vm_summary = nullptr;
  QTableView* m_vhv_table = nullptr;
  QTableView* m_counter_table = nullptr;
  QTableView* m_event_table = nullptr;
  TerminalView* m_terminal = nullptr;
  TracePanel* m_trace = nullptr;
  CountersChart* m_chart = nullptr;
};

}  // namespace nestlab::gui
