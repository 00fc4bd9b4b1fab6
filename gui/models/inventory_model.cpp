#include "gui/models/inventory_model.h"

#include <pwd.h>

#include <QColor>
#include <QFont>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>

namespace nestlab::gui {

// A row of the tree. `key` is the tenant's name for tenants and the VHV's
// id for VHVs and their VMs; `vm` is a VM row's id. Invariant: children of
// the root are tenants (sorted by name), of a tenant VHVs, of a VHV its VMs
// (sorted by id, at most one per id).
struct InventoryModel::Node {
  Kind kind = Kind::Tenant;
  QString key;
  int vm = -1;
  Node* parent = nullptr;  // Not owned; null for the root.
  std::vector<std::unique_ptr<Node>> children;

  int row() const {
    if (!parent) return 0;
    const auto& siblings = parent->children;
    for (size_t i = 0; i < siblings.size(); ++i)
      if (siblings[i].get() == this) return static_cast<int>(i);
    return -1;
  }
  Node* child(const QString& child_key) const {
    for (const auto& c : children)
      if (c->key == child_key) return c.get();
    return nullptr;
  }
  Node* add(Kind child_kind, const QString& child_key, int at, int vm_id = -1) {
    auto made = std::make_unique<Node>();
    made->kind = child_kind;
    made->key = child_key;
    made->vm = vm_id;
    made->parent = this;
    Node* raw = made.get();
    children.insert(children.begin() + at, std::move(made));
    return raw;
  }
};

namespace {

// The VMs of a VhvInfo: its `vms` (issue 13), or the one `vm` of a kernel
// from before; sorted by id.
QList<int> vm_ids(const QJsonObject& info) {
  QList<int> ids;
  if (info.contains("vms")) {
    for (const QJsonValue& v : info.value("vms").toArray())
      if (v.toObject().contains("id")) ids.append(v.toObject().value("id").toInt());
  } else if (!info.value("vm").toObject().isEmpty()) {
    ids.append(info.value("vm").toObject().value("id").toInt());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

QJsonObject vm_info(const QJsonObject& info, int id) {
  if (info.contains("vms")) {
    for (const QJsonValue& v : info.value("vms").toArray())
      if (v.toObject().value("id").toInt(-1) == id) return v.toObject();
    return {};
  }
  const QJsonObject vm = info.value("vm").toObject();
  return vm.value("id").toInt() == id ? vm : QJsonObject();
}

QColor vm_state_colour(const QJsonObject& vm) {
  const QString state = vm.value("state").toString();
  if (state == QLatin1String("running")) return QColor(0x2e, 0xa0, 0x43);
  const QString reason = vm.value("reason").toString();
  if (reason == QLatin1String("fault") || reason == QLatin1String("vhv-died"))
    return QColor(0xcf, 0x22, 0x2e);
  return QColor(0x80, 0x80, 0x80);
}

// The VhvListModel column that shows the same thing for a VHV row; -1: none.
int source_column(int column) {
  switch (column) {
    case InventoryModel::NameColumn: return VhvListModel::NameColumn;
    case InventoryModel::IdColumn: return VhvListModel::IdColumn;
    case InventoryModel::StateColumn: return VhvListModel::StateColumn;
    case InventoryModel::OwnerColumn: return VhvListModel::OwnerColumn;
    case InventoryModel::CpuColumn: return VhvListModel::CpuColumn;
    case InventoryModel::MemoryUsedColumn: return VhvListModel::MemoryUsedColumn;
    case InventoryModel::PidsColumn: return VhvListModel::PidsColumn;
    case InventoryModel::MemoryColumn: return VhvListModel::MemoryColumn;
    case InventoryModel::PidColumn: return VhvListModel::PidColumn;
    default: return -1;
  }
}

}  // namespace

QString InventoryModel::tenant_of(const QJsonObject& vhv_info) {
  const QString tenant = vhv_info.value("tenant").toString();
  if (!tenant.isEmpty()) return tenant;
  const qint64 uid = vhv_info.value("owner_uid").toInteger(-1);
  if (uid < 0) return tr("(unknown)");
  if (const passwd* pw = ::getpwuid(static_cast<uid_t>(uid)); pw && pw->pw_name)
    return QString::fromLocal8Bit(pw->pw_name);
  return QStringLiteral("uid-%1").arg(uid);
}

int InventoryModel::main_vm(const QJsonObject& vhv_info) {
  const QJsonObject vm = vhv_info.value("vm").toObject();
  if (vm.value("id").isDouble()) return vm.value("id").toInt();
  if (vm.value("vm").isDouble()) return vm.value("vm").toInt();
  return 0;
}

InventoryModel::InventoryModel(VhvListModel* source, QObject* parent)
    : QAbstractItemModel(parent), m_source(source), m_root(std::make_unique<Node>()) {
  connect(source, &QAbstractItemModel::rowsInserted, this, [this] {
    sync();
    for (const auto& tenant : m_root->children) emit_row_changed(tenant.get());
  });
  connect(source, &QAbstractItemModel::rowsRemoved, this, [this] {
    sync();
    for (const auto& tenant : m_root->children) emit_row_changed(tenant.get());
  });
  connect(source, &QAbstractItemModel::dataChanged, this, &InventoryModel::on_source_changed);
  connect(source, &QAbstractItemModel::modelReset, this, [this] {
    beginResetModel();
    m_root->children.clear();
    endResetModel();
    sync();
  });
  connect(source, &QAbstractItemModel::layoutChanged, this, [this] { sync(); });
  sync();
}

InventoryModel::~InventoryModel() = default;

InventoryModel::Node* InventoryModel::node(const QModelIndex& index) const {
  return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex InventoryModel::index_of(const Node* n, int column) const {
  if (!n || n == m_root.get()) return {};
  return createIndex(n->row(), column, const_cast<Node*>(n));
}

QModelIndex InventoryModel::index(int row, int column, const QModelIndex& parent) const {
  if (column < 0 || column >= ColumnCount || row < 0) return {};
  if (parent.isValid() && parent.column() != 0) return {};
  const Node* p = node(parent);
  if (row >= static_cast<int>(p->children.size())) return {};
  return createIndex(row, column, p->children[static_cast<size_t>(row)].get());
}

QModelIndex InventoryModel::parent(const QModelIndex& child) const {
  if (!child.isValid()) return {};
  return index_of(node(child)->parent, 0);
}

int InventoryModel::rowCount(const QModelIndex& parent) const {
  if (parent.isValid() && parent.column() != 0) return 0;
  return static_cast<int>(node(parent)->children.size());
}

int InventoryModel::columnCount(const QModelIndex&) const { return ColumnCount; }

InventoryModel::Node* InventoryModel::find_tenant(const QString& tenant) const {
  return m_root->child(tenant);
}

InventoryModel::Node* InventoryModel::find_vhv(const QString& vhv_id) const {
  for (const auto& tenant : m_root->children)
    if (Node* vhv = tenant->child(vhv_id)) return vhv;
  return nullptr;
}

QModelIndex InventoryModel::index_of_tenant(const QString& tenant, int column) const {
  return index_of(find_tenant(tenant), column);
}

QModelIndex InventoryModel::index_of_vhv(const QString& vhv_id, int column) const {
  return index_of(find_vhv(vhv_id), column);
}

QModelIndex InventoryModel::index_of_vm(const QString& vhv_id, int column, int vm) const {
  const Node* vhv = find_vhv(vhv_id);
  if (!vhv || vhv->children.empty()) return {};
  if (vm < 0) return index_of(vhv->children.front().get(), column);
  for (const auto& c : vhv->children)
    if (c->vm == vm) return index_of(c.get(), column);
  return {};
}

int InventoryModel::vm_of(const QModelIndex& index) {
  if (index.data(KindRole).value<Kind>() != Kind::Vm) return -1;
  return index.data(VmIdRole).toInt();
}

QString InventoryModel::vhv_of(const QModelIndex& index) {
  return index.data(VhvListModel::VhvIdRole).toString();
}

void InventoryModel::sync() {
  // What the source says: tenant -> its VHVs in the source's order.
  std::map<QString, QStringList> wanted;
  for (auto it = m_tenants.cbegin(); it != m_tenants.cend(); ++it) wanted[it.key()];
  QHash<QString, QList<int>> vms;  // VHV id -> its VM ids, sorted
  for (int row = 0; row < m_source->rowCount(); ++row) {
    const QJsonObject info = m_source->info(row);
    const QString id = info.value("id").toString();
    wanted[tenant_of(info)].append(id);
    vms.insert(id, vm_ids(info));
  }

  // Removals first, bottom up, so the rows we name stay valid.
  for (int t = static_cast<int>(m_root->children.size()) - 1; t >= 0; --t) {
    Node* tenant = m_root->children[static_cast<size_t>(t)].get();
    const auto it = wanted.find(tenant->key);
    for (int v = static_cast<int>(tenant->children.size()) - 1; v >= 0; --v) {
      Node* vhv = tenant->children[static_cast<size_t>(v)].get();
      if (it == wanted.end() || !it->second.contains(vhv->key)) {
        beginRemoveRows(index_of(tenant, 0), v, v);
        tenant->children.erase(tenant->children.begin() + v);
        endRemoveRows();
      } else {
        const QList<int> keep = vms.value(vhv->key);
        for (int m = static_cast<int>(vhv->children.size()) - 1; m >= 0; --m) {
          if (keep.contains(vhv->children[static_cast<size_t>(m)]->vm)) continue;
          beginRemoveRows(index_of(vhv, 0), m, m);
          vhv->children.erase(vhv->children.begin() + m);
          endRemoveRows();
        }
      }
    }
    if (it == wanted.end() && tenant->children.empty()) {
      beginRemoveRows({}, t, t);
      m_root->children.erase(m_root->children.begin() + t);
      endRemoveRows();
    }
  }

  // Then what is new: a tenant comes with its VHVs and their VMs.
  for (const auto& [name, ids] : wanted) {
    Node* tenant = find_tenant(name);
    if (!tenant) {
      const auto at = std::lower_bound(
          m_root->children.begin(), m_root->children.end(), name,
          [](const std::unique_ptr<Node>& n, const QString& key) { return n->key < key; });
      const int row = static_cast<int>(at - m_root->children.begin());
      beginInsertRows({}, row, row);
      tenant = m_root->add(Kind::Tenant, name, row);
      for (const QString& id : ids) {
        Node* vhv = tenant->add(Kind::Vhv, id, static_cast<int>(tenant->children.size()));
        for (int vm : vms.value(id))
          vhv->add(Kind::Vm, id, static_cast<int>(vhv->children.size()), vm);
      }
      endInsertRows();
      continue;
    }
    for (const QString& id : ids) {
      Node* vhv = tenant->child(id);
      if (!vhv) {
        const int row = static_cast<int>(tenant->children.size());
        beginInsertRows(index_of(tenant, 0), row, row);
        vhv = tenant->add(Kind::Vhv, id, row);
        for (int vm : vms.value(id))
          vhv->add(Kind::Vm, id, static_cast<int>(vhv->children.size()), vm);
        endInsertRows();
        continue;
      }
      // New VMs of a VHV already shown, each at its place by id.
      for (int vm : vms.value(id)) {
        int at = 0;
        bool present = false;
        for (const auto& c : vhv->children) {
          if (c->vm == vm) present = true;
          if (c->vm < vm) ++at;
        }
        if (present) continue;
        beginInsertRows(index_of(vhv, 0), at, at);
        vhv->add(Kind::Vm, id, at, vm);
        endInsertRows();
      }
    }
  }
}

void InventoryModel::set_tenants(const QJsonArray& tenants) {
  QHash<QString, QJsonObject> by_name;
  for (const QJsonValue& v : tenants) {
    const QJsonObject tenant = v.toObject();
    const QString name = tenant.value("tenant").toString();
    if (!name.isEmpty()) by_name.insert(name, tenant);
  }
  if (by_name == m_tenants) return;
  m_tenants = by_name;
  sync();
  for (const auto& tenant : m_root->children) emit_row_changed(tenant.get());
}

void InventoryModel::on_source_changed(const QModelIndex& top_left,
                                       const QModelIndex& bottom_right) {
  sync();  // A VM may have appeared, or a VHV changed tenant.
  QSet<const Node*> tenants;
  for (int row = top_left.row(); row <= bottom_right.row(); ++row) {
    const Node* vhv = find_vhv(m_source->info(row).value("id").toString());
    if (!vhv) continue;
    emit_row_changed(vhv);
    for (const auto& vm : vhv->children) emit_row_changed(vm.get());
    tenants.insert(vhv->parent);
  }
  for (const Node* tenant : tenants) emit_row_changed(tenant);
}

void InventoryModel::emit_row_changed(const Node* n) {
  emit dataChanged(index_of(n, 0), index_of(n, ColumnCount - 1));
}

QVariant InventoryModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const Node* n = node(index);
  switch (n->kind) {
    case Kind::Tenant: return tenant_data(n, index.column(), role);
    case Kind::Vhv: return vhv_data(n, index.column(), role);
    case Kind::Vm: return vm_data(n, index.column(), role);
  }
  return {};
}

QVariant InventoryModel::tenant_data(const Node* n, int column, int role) const {
  if (role == KindRole) return QVariant::fromValue(Kind::Tenant);
  if (role == TenantRole) return n->key;
  // Resource use: the sum over the tenant's VHVs that have figures.
  double cpu = 0;
  qint64 memory = 0, pids = 0;
  int with_cpu = 0, with_memory = 0, with_pids = 0;
  for (const auto& vhv : n->children) {
    const VhvListModel::Usage u = m_source->usage(vhv->key);
    if (u.cpu_percent >= 0) {
      cpu += u.cpu_percent;
      ++with_cpu;
    }
    if (u.memory >= 0) {
      memory += u.memory;
      ++with_memory;
    }
    if (u.pids >= 0) {
      pids += u.pids;
      ++with_pids;
    }
  }
  const int count = static_cast<int>(n->children.size());
  if (role == Qt::ToolTipRole) {
    if (column == NameColumn) return tenant_tooltip(n->key, count);
    if (column >= CpuColumn && column <= PidsColumn)
      return tr("sum over this tenant's VHVs that report figures");
    return {};
  }
  if (role == Qt::TextAlignmentRole && column >= CpuColumn && column <= PidsColumn)
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::FontRole && column == NameColumn) {
    QFont bold;
    bold.setBold(true);
    return bold;
  }
  if (role != Qt::DisplayRole) return {};
  switch (column) {
    case NameColumn: return n->key;
    case StateColumn: return tr("%n VHV(s)", nullptr, count);
    case CpuColumn: return with_cpu ? QStringLiteral("%1").arg(cpu, 0, 'f', 1) : QVariant();
    case MemoryUsedColumn: return with_memory ? format_bytes(memory) : QVariant();
    case PidsColumn: return with_pids ? QVariant(pids) : QVariant();
    default: return {};
  }
}

QString InventoryModel::tenant_tooltip(const QString& tenant, int vhv_count) const {
  QString tip = tr("tenant %1: %n VHV(s); its resource group bounds their sum", nullptr, vhv_count)
                    .arg(tenant);
  const auto it = m_tenants.constFind(tenant);
  if (it == m_tenants.constEnd()) return tip;
  const QJsonObject limits = it->value("limits").toObject();
  QStringList set;
  if (limits.value("memory").isDouble())
    set << tr("memory %1").arg(format_bytes(limits.value("memory").toInteger()));
  if (limits.value("cpu_weight").isDouble())
    set << tr("CPU weight %1").arg(limits.value("cpu_weight").toInteger());
  if (limits.value("cpu_quota").isDouble())
    set << tr("CPU quota %1 %").arg(limits.value("cpu_quota").toInteger());
  if (limits.value("pids").isDouble()) set << tr("%1 PIDs").arg(limits.value("pids").toInteger());
  tip +=
      QLatin1Char('\n') + (set.isEmpty() ? tr("no limits") : tr("limits: %1").arg(set.join(", ")));
  if (it->value("cgroup").isString())
    tip += QLatin1Char('\n') + tr("group %1").arg(it->value("cgroup").toString());
  const QJsonObject usage = it->value("usage").toObject();
  if (!usage.isEmpty())
    tip += QLatin1Char('\n') +
           tr("group now: memory %1, %2 PIDs")
               .arg(format_bytes(usage.value("memory").toObject().value("current").toInteger()))
               .arg(usage.value("pids").toObject().value("current").toInteger());
  return tip;
}

QVariant InventoryModel::vhv_data(const Node* n, int column, int role) const {
  if (role == KindRole) return QVariant::fromValue(Kind::Vhv);
  if (role == TenantRole) return n->parent->key;
  const int row = m_source->row_of(n->key);
  if (row < 0) return {};
  if (role >= Qt::UserRole) return m_source->index(row, 0).data(role);
  const int mapped = source_column(column);
  if (mapped < 0) return {};
  return m_source->index(row, mapped).data(role);
}

QVariant InventoryModel::vm_data(const Node* n, int column, int role) const {
  if (role == KindRole) return QVariant::fromValue(Kind::Vm);
  if (role == TenantRole) return n->parent->parent->key;
  const int row = m_source->row_of(n->key);
  if (row < 0) return {};
  const QJsonObject vm = vm_info(m_source->info(row), n->vm);
  if (role == VmRole) return vm;
  if (role == VmIdRole) return n->vm;
  if (role >= Qt::UserRole) return m_source->index(row, 0).data(role);
  if (role == Qt::DecorationRole && column == StateColumn) return vm_state_colour(vm);
  if (role == Qt::ToolTipRole) {
    QString tip = tr("VM %1 of %2: %3").arg(n->vm).arg(n->key, vm.value("image").toString());
    if (vm.contains("weight"))
      tip += tr("\nweight %1, %2 vCPU(s), %3 MiB")
                 .arg(vm.value("weight").toInteger())
                 .arg(vm.value("smp").toInt(1))
                 .arg(vm.value("mem").toInteger() >> 20);
    if (vm.contains("message")) tip += QLatin1Char('\n') + vm.value("message").toString();
    return tip;
  }
  if (role == Qt::TextAlignmentRole && column == ExitCodeColumn)
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  switch (column) {
    case NameColumn: return tr("VM %1").arg(n->vm);
    case StateColumn:
      return vm.contains("reason") ? QStringLiteral("%1 (%2)").arg(vm.value("state").toString(),
                                                                   vm.value("reason").toString())
                                   : vm.value("state").toString();
    case ImageColumn: return vm.value("image").toString();
    case ExitCodeColumn:
      return vm.contains("exit_code") && !vm.value("exit_code").isNull()
                 ? QVariant(vm.value("exit_code").toInteger())
                 : QVariant();
    default: return {};
  }
}

QVariant InventoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case NameColumn: return tr("Tenant / VHV / VM");
    case IdColumn: return tr("ID");
    case StateColumn: return tr("State");
    case OwnerColumn: return tr("Owner");
    case CpuColumn: return tr("CPU %");
    case MemoryUsedColumn: return tr("Mem used");
    case PidsColumn: return tr("PIDs");
    case MemoryColumn: return tr("Memory");
    case PidColumn: return tr("PID");
    case ImageColumn: return tr("Image");
    case ExitCodeColumn: return tr("Exit code");
    default: return {};
  }
}

}  // namespace nestlab::gui
