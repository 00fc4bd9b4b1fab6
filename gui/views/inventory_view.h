// The inventory tree: tenants, their VHVs, each VHV's VM. New rows open up
// so every VHV and VM is in sight; the selection is one row, and a VM row
// stands for its VHV (the actions and docks follow the VHV).
#pragma once

#include <QTreeView>

namespace nestlab::gui {

class InventoryModel;

class InventoryView : public QTreeView {
  Q_OBJECT

 public:
  explicit InventoryView(InventoryModel* model, QWidget* parent = nullptr);

  InventoryModel* inventory() const { return m_model; }
  // The VHV of the selected row; empty for a tenant row or none.
  QString selected_vhv() const;
  void select_vhv(const QString& vhv_id);
  // Selects the VHV now if it is listed, else once it is.
  void select_when_listed(const QString& vhv_id);

 private:
  void on_rows_inserted(const QModelIndex& parent, int first, int last);

  InventoryModel* m_model;  // Not owned.
  QString m_select_when_listed;
};

}  // namespace nestlab::gui
