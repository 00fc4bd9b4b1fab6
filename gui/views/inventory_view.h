// The inventory tree: tenants, their VHVs, each VHV's VMs. New rows open up
// so every VHV and VM is in sight; the selection is one row. A VM row selects
// that VM (and its VHV, for the VHV actions); a VHV row stands for its main
// VM (InventoryModel::main_vm), so the docks always show one VM.
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
  // The VM the selected row stands for: a VM row's own, a VHV row's main
  // VM; -1 for a tenant row or none.
  int selected_vm() const;
  // Whether the selected row is a VM row (not a VHV standing for one).
  bool vm_row_selected() const;
  void select_vhv(const QString& vhv_id);
  // VM `vm`'s row of the VHV; false (nothing changes) when it is not listed.
  bool select_vm(const QString& vhv_id, int vm);
  // Selects the VHV now if it is listed, else once it is.
  void select_when_listed(const QString& vhv_id);
  // The same for VM `vm`'s row (a VM that vm.run just started).
  void select_vm_when_listed(const QString& vhv_id, int vm);

 private:
  void on_rows_inserted(const QModelIndex& parent, int first, int last);
  // A selected VM row that goes away (its VHV stopped, say) hands the
  // selection to its VHV's row rather than to nothing.
  void on_rows_about_to_be_removed(const QModelIndex& parent, int first, int last);
  void on_rows_removed();

  InventoryModel* m_model;  // Not owned.
  QString m_select_when_listed;
  int m_select_vm_when_listed = -1;  // With m_select_when_listed: that VM's row.
  QString m_reselect_vhv;            // Between rowsAboutToBeRemoved and rowsRemoved.
};

}  // namespace nestlab::gui
