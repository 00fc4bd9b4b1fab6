#include "gui/views/inventory_view.h"

#include <QHeaderView>

#include <utility>

#include "gui/models/inventory_model.h"

namespace nestlab::gui {

InventoryView::InventoryView(InventoryModel* model, QWidget* parent)
    : QTreeView(parent), m_model(model) {
  setObjectName(QStringLiteral("inventoryTree"));
  setModel(model);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setAllColumnsShowFocus(true);
  setAlternatingRowColors(true);
  setUniformRowHeights(true);
  setWordWrap(false);
  setSortingEnabled(false);  // Tenants sort by name, VHVs keep their order.
  header()->setStretchLastSection(true);
  // First-run widths, by what each column holds; a saved header replaces them.
  const auto width = [this](const char* sample) {
    return fontMetrics().horizontalAdvance(QString::fromLatin1(sample)) + 24;
  };
  header()->resizeSection(InventoryModel::NameColumn,
                          width("tenant-name-xxxxx") + indentation() * 2);
  header()->resizeSection(InventoryModel::StateColumn, width("running (paused)"));
  header()->resizeSection(InventoryModel::OwnerColumn, width("username"));
  header()->resizeSection(InventoryModel::CpuColumn, width("CPU %"));
  header()->resizeSection(InventoryModel::MemoryUsedColumn, width("123.4 MiB"));
  header()->resizeSection(InventoryModel::PidsColumn, width("12 / 256"));
  header()->resizeSection(InventoryModel::ImageColumn, width("monitor.elf"));
  header()->resizeSection(InventoryModel::ExitCodeColumn, width("Exit code"));
  header()->resizeSection(InventoryModel::IdColumn, width("vhv-12"));
  header()->resizeSection(InventoryModel::MemoryColumn, width("128 MiB"));
  connect(model, &QAbstractItemModel::rowsInserted, this, &InventoryView::on_rows_inserted);
  connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, this,
          &InventoryView::on_rows_about_to_be_removed);
  connect(model, &QAbstractItemModel::rowsRemoved, this, &InventoryView::on_rows_removed);
  // A model filled before the view existed.
  expandAll();
}

QString InventoryView::selected_vhv() const {
  const QModelIndexList rows = selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : InventoryModel::vhv_of(rows.first());
}

int InventoryView::selected_vm() const {
  const QModelIndexList rows = selectionModel()->selectedRows();
  if (rows.isEmpty()) return -1;
  switch (rows.first().data(InventoryModel::KindRole).value<InventoryModel::Kind>()) {
    case InventoryModel::Kind::Vm: return InventoryModel::vm_of(rows.first());
    case InventoryModel::Kind::Vhv:
      return InventoryModel::main_vm(rows.first().data(VhvListModel::InfoRole).toJsonObject());
    case InventoryModel::Kind::Tenant: return -1;
  }
  return -1;
}

bool InventoryView::vm_row_selected() const {
  const QModelIndexList rows = selectionModel()->selectedRows();
  return !rows.isEmpty() &&
         rows.first().data(InventoryModel::KindRole).value<InventoryModel::Kind>() ==
             InventoryModel::Kind::Vm;
}

bool InventoryView::select_vm(const QString& vhv_id, int vm) {
  const QModelIndex index = m_model->index_of_vm(vhv_id, 0, vm);
  if (vm < 0 || !index.isValid()) return false;
  selectionModel()->setCurrentIndex(
      index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  scrollTo(index);
  return true;
}

void InventoryView::select_vm_when_listed(const QString& vhv_id, int vm) {
  if (select_vm(vhv_id, vm)) {
    m_select_when_listed.clear();
    m_select_vm_when_listed = -1;
  } else {
    m_select_when_listed = vhv_id;
    m_select_vm_when_listed = vm;
  }
}

void InventoryView::select_vhv(const QString& vhv_id) {
  const QModelIndex index = m_model->index_of_vhv(vhv_id);
  if (!index.isValid()) return;
  selectionModel()->setCurrentIndex(
      index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  scrollTo(index);
}

void InventoryView::select_when_listed(const QString& vhv_id) {
  m_select_vm_when_listed = -1;
  if (m_model->index_of_vhv(vhv_id).isValid()) {
    m_select_when_listed.clear();
    select_vhv(vhv_id);
  } else {
    m_select_when_listed = vhv_id;
  }
}

void InventoryView::on_rows_about_to_be_removed(const QModelIndex& parent, int first, int last) {
  const QModelIndexList rows = selectionModel()->selectedRows();
  if (rows.isEmpty() || !vm_row_selected()) return;
  const QModelIndex selected = rows.first();
  if (selected.parent() == parent && selected.row() >= first && selected.row() <= last)
    m_reselect_vhv = InventoryModel::vhv_of(parent);
}

void InventoryView::on_rows_removed() {
  const QString vhv = std::exchange(m_reselect_vhv, QString());
  if (!vhv.isEmpty() && selectionModel()->selectedRows().isEmpty()) select_vhv(vhv);
}

void InventoryView::on_rows_inserted(const QModelIndex& parent, int first, int last) {
  // Open what arrived (a tenant with its VHVs, a VHV, a VHV's new VM).
  if (parent.isValid()) expand(parent);
  for (int row = first; row <= last; ++row) {
    const QModelIndex index = m_model->index(row, 0, parent);
    expand(index);
    for (int child = 0; child < m_model->rowCount(index); ++child)
      expand(m_model->index(child, 0, index));
  }
  if (m_select_vm_when_listed >= 0) {
    if (select_vm(m_select_when_listed, m_select_vm_when_listed)) {
      m_select_when_listed.clear();
      m_select_vm_when_listed = -1;
      return;
    }
  } else if (!m_select_when_listed.isEmpty() &&
             m_model->index_of_vhv(m_select_when_listed).isValid()) {
    select_vhv(m_select_when_listed);
    m_select_when_listed.clear();
    return;
  }
  if (!selected_vhv().isEmpty() || !selectionModel()->selectedRows().isEmpty()) return;
  // Nothing chosen yet: the first VHV.
  for (int t = 0; t < m_model->rowCount(); ++t) {
    const QModelIndex tenant = m_model->index(t, 0);
    if (m_model->rowCount(tenant) > 0) {
      select_vhv(InventoryModel::vhv_of(m_model->index(0, 0, tenant)));
      return;
    }
  }
}

}  // namespace nestlab::gui
