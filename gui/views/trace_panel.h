// The trace ring's tail for the selected VM: a table over TraceModel, a
// Follow switch (new records keep arriving and the table keeps to the
// bottom unless scrolled up) and the client's status line.
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QTableView;

namespace nestlab::gui {

class TraceClient;

class TracePanel : public QWidget {
  Q_OBJECT

 public:
  explicit TracePanel(TraceClient* client, QWidget* parent = nullptr);

  QTableView* table() const { return m_table; }
  QCheckBox* follow_box() const { return m_follow; }
  QLabel* status_label() const { return m_status; }

 private:
  TraceClient* m_client;  // Not owned.
  QTableView* m_table;
  QCheckBox* m_follow;
  QLabel* m_status;
};

}  // namespace nestlab::gui
