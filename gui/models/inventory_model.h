// The inventory as a tree: tenants, their VHVs, and the VMs inside each VHV
// (docs/protocols.md: a VM exists only inside its VHV's VhvInfo, as a row of
// its `vms`; one VM row per VM id, issue 13). It mirrors
// a VhvListModel, which stays the one store of VhvInfo, resource use and
// pause state; this model only groups it. Passive: it never talks to the
// kernel, and follows its source's signals with fine-grained inserts,
// removes and changes, so views keep their selection and expansion.
//
// A VHV's tenant is VhvInfo's `tenant` when the kernel sends one, else the
// owner's user name (the kernel's own default, kernel/tenants.h), else
// "uid-N". Where the kernel has tenant.list, its tenants are rows too (with
// no VHVs yet, too), and their limits and group figures show in tooltips.
#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>

#include <memory>
#include <vector>

#include "gui/models/vhv_list_model.h"

namespace nestlab::gui {

class InventoryModel : public QAbstractItemModel {
  Q_OBJECT

 public:
  // What people look at first comes first: a narrow window shows the
  // state, the resource use and the VM's image and exit code.
  enum Column {
    NameColumn,        // tenant, VHV name, "VM n"
    StateColumn,       // VHV state (paused), VM state (reason)
    OwnerColumn,       // VHV owner's user name
    CpuColumn,         // VHV cgroup CPU %; for a tenant, the sum of its VHVs
    MemoryUsedColumn,  // VHV cgroup memory; for a tenant, the sum
    PidsColumn,        // VHV cgroup PIDs; for a tenant, the sum
    ImageColumn,       // VM image name
    ExitCodeColumn,    // VM exit code once it exited
    IdColumn,          // VHV id
    MemoryColumn,      // VHV guest RAM capacity
    PidColumn,         // highvisor host PID
    ColumnCount
  };
  Q_ENUM(Column)

  enum class Kind { Tenant, Vhv, Vm };
  Q_ENUM(Kind)

  // VHV and VM rows also answer VhvListModel's roles (VhvIdRole, StateRole,
  // InfoRole, CpuPercentRole, ...) for their VHV.
  enum Role {
    KindRole = Qt::UserRole + 100,  // Kind
    TenantRole,                     // QString, every row
    VmRole,                         // QJsonObject, the VM's row of VhvInfo's vms (VM rows)
    VmIdRole,                       // int, the VM's id in its VHV (VM rows)
  };
  Q_ENUM(Role)

  explicit InventoryModel(VhvListModel* source, QObject* parent = nullptr);
  ~InventoryModel() override;

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  VhvListModel* source() const { return m_source; }
  // Invalid when absent.
  QModelIndex index_of_tenant(const QString& tenant, int column = 0) const;
  QModelIndex index_of_vhv(const QString& vhv_id, int column = 0) const;
  // VM `vm` of the VHV; vm < 0: its first VM.
  QModelIndex index_of_vm(const QString& vhv_id, int column = 0, int vm = -1) const;
  // The VHV a row belongs to (itself or its VM's); empty for tenants.
  static QString vhv_of(const QModelIndex& index);
  // The VM a row is; -1 for tenant and VHV rows.
  static int vm_of(const QModelIndex& index);

  static QString tenant_of(const QJsonObject& vhv_info);
  // The VM a VHV row stands for (its console, counters and trace): VhvInfo's
  // `vm`, which the kernel makes VM 0 if it ever ran, else the newest VM, and
  // which the VHV row's "VM state" shows; 0 (the slot the first vm.run
  // takes) while no VM has run.
  static int main_vm(const QJsonObject& vhv_info);

  // tenant.list's result: [{tenant, limits, vhvs, cgroup, usage}].
  void set_tenants(const QJsonArray& tenants);
  QJsonObject tenant_info(const QString& tenant) const { return m_tenants.value(tenant); }

 private:
  struct Node;

  Node* node(const QModelIndex& index) const;
  QModelIndex index_of(const Node* node, int column) const;
  Node* find_tenant(const QString& tenant) const;
  Node* find_vhv(const QString& vhv_id) const;
  // Brings the tree in line with the source; emits the inserts and removes.
  void sync();
  void on_source_changed(const QModelIndex& top_left, const QModelIndex& bottom_right);
  void emit_row_changed(const Node* node);

  QString tenant_tooltip(const QString& tenant, int vhv_count) const;
  QVariant tenant_data(const Node* node, int column, int role) const;
  QVariant vhv_data(const Node* node, int column, int role) const;
  QVariant vm_data(const Node* node, int column, int role) const;

  VhvListModel* m_source;  // Not owned.
  std::unique_ptr<Node> m_root;
  QHash<QString, QJsonObject> m_tenants;  // tenant.list, by name.
};

}  // namespace nestlab::gui
