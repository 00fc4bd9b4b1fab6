// The labs dock: pick a lab and a directory (or none: a temporary one, set
// up from the starter or the reference solution), Grade or Run it, and see
// each step's result next to the runner's output. It reads LabClient's
// models and calls its actions; the runner process is the client's.
#pragma once

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;
class QToolButton;

namespace nestlab::gui {

class LabClient;

class LabsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit LabsPanel(LabClient* client, QWidget* parent = nullptr);

  QAction* grade_action() const { return m_grade; }
  QAction* run_action() const { return m_run; }
  QAction* stop_action() const { return m_stop; }
  QComboBox* lab_box() const { return m_lab_box; }
  QComboBox* solution_box() const { return m_solution_box; }
  QLineEdit* dir_edit() const { return m_dir_edit; }
  QTableView* results_table() const { return m_results; }
  QLabel* status_label() const { return m_status; }
  QLabel* summary_label() const { return m_summary; }
  QPlainTextEdit* output() const { return m_output; }

  QString selected_lab() const;
  void select_lab(const QString& lab_id);

 private:
  void update_actions();
  void update_description();
  void update_summary();
  void browse();
  void grade();
  void run();

  LabClient* m_client;  // Not owned.
  QAction* m_grade;
  QAction* m_run;
  QAction* m_stop;
  QComboBox* m_lab_box;
  QLabel* m_description;
  QLineEdit* m_dir_edit;
  QComboBox* m_solution_box;
  QLabel* m_status;
  QLabel* m_summary;
  QTableView* m_results;
  QPlainTextEdit* m_output;
};

}  // namespace nestlab::gui
