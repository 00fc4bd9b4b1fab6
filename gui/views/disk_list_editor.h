// The Run dialog's disks: up to RunGuestRequest::kMaxDisks rows, each a
// path with a Browse button, a Read-only box and a Remove button, and an
// Add disk button under them (vm.run `disks`, the CLI's --disk FILE[,ro]).
#pragma once

#include <QList>
#include <QWidget>

#include "gui/client/vhv_client.h"

class QCheckBox;
class QLineEdit;
class QPushButton;
class QVBoxLayout;

namespace nestlab::gui {

class DiskListEditor : public QWidget {
  Q_OBJECT

 public:
  explicit DiskListEditor(QWidget* parent = nullptr);

  QList<GuestDisk> disks() const;  // Rows with an empty path are left out.
  int row_count() const { return int(m_rows.size()); }
  // Adds a row (false when there are kMaxDisks already).
  bool add_disk(const QString& path = {}, bool read_only = false);
  void remove_disk(int row);
  QLineEdit* path_edit(int row) const { return m_rows.value(row).path; }
  QCheckBox* read_only_box(int row) const { return m_rows.value(row).read_only; }
  QPushButton* add_button() const { return m_add; }
  // Why the disks cannot be used as given ("" when they can): a path that
  // is not a readable file, or a read-write disk without write permission.
  QString problem() const;

 signals:
  void changed();

 private:
  struct Row {
    QWidget* widget = nullptr;
    QLineEdit* path = nullptr;
    QCheckBox* read_only = nullptr;
  };

  QVBoxLayout* m_layout;
  QPushButton* m_add;
  QList<Row> m_rows;
};

}  // namespace nestlab::gui
