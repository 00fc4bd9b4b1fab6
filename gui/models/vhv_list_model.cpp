#include "gui/models/vhv_list_model.h"

#include <pwd.h>

#include <QColor>
#include <QSet>

namespace nestlab::gui {

namespace {

QString user_name(qint64 uid) {
  if (uid < 0) return {};
  if (const passwd* pw = ::getpwuid(static_cast<uid_t>(uid)); pw && pw->pw_name)
    return QString::fromLocal8Bit(pw->pw_name);
  return QString::number(uid);
}

QString vm_state_text(const QJsonObject& info) {
  const QJsonObject vm = info.value("vm").toObject();
  if (vm.isEmpty()) return {};
  QString text = vm.value("state").toString();
  QStringList details;
  if (vm.contains("reason")) details << vm.value("reason").toString();
  if (vm.contains("exit_code"))
    details << QStringLiteral("code %1").arg(vm.value("exit_code").toInt());
  if (!details.isEmpty()) text += QStringLiteral(" (%1)").arg(details.join(", "));
  return text;
}

QColor state_colour(const QString& state) {
  if (state == "running") return QColor(0x2e, 0xa0, 0x43);
  if (state == "ready") return QColor(0x1f, 0x6f, 0xeb);
  if (state == "starting") return QColor(0xd2, 0x99, 0x22);
  if (state == "failed") return QColor(0xcf, 0x22, 0x2e);
  return QColor(0x80, 0x80, 0x80);
}

}  // namespace

QString format_bytes(qint64 bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  const bool whole = value == static_cast<double>(static_cast<qint64>(value));
  return QStringLiteral("%1 %2").arg(value, 0, 'f', whole ? 0 : 1).arg(kUnits[unit]);
}

int VhvListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int VhvListModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant VhvListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_rows.size()) return {};
  const QJsonObject& info = m_rows[index.row()];
  switch (role) {
    case VhvIdRole: return info.value("id").toString();
    case NameRole: return info.value("name").toString();
    case StateRole: return info.value("state").toString();
    case VmStateRole: return info.value("vm").toObject().value("state").toString();
    case InfoRole: return info;
    default: break;
  }
  if (role == Qt::DecorationRole && index.column() == StateColumn)
    return state_colour(info.value("state").toString());
  if (role == Qt::TextAlignmentRole &&
      (index.column() == MemoryColumn || index.column() == PidColumn))
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole) {
    switch (index.column()) {
      case PidColumn:
        return info.contains("qemu_pid")
                   ? QStringLiteral("highvisor PID %1, QEMU PID %2")
                         .arg(info.value("pid").toInteger())
                         .arg(info.value("qemu_pid").toInteger())
                   : QStringLiteral("highvisor PID %1").arg(info.value("pid").toInteger());
      case VmStateColumn: {
        const QJsonObject vm = info.value("vm").toObject();
        if (vm.isEmpty()) return QStringLiteral("no guest has been run on this VHV");
        QString tip = QStringLiteral("VM %1: %2")
                          .arg(vm.value("id").toInt())
                          .arg(vm.value("image").toString());
        if (vm.contains("message")) tip += QStringLiteral("\n") + vm.value("message").toString();
        return tip;
      }
      case MemoryColumn:
        return QStringLiteral("guest RAM capacity, %1 vCPU(s)").arg(info.value("smp").toInt(1));
      default:
        return info.contains("cgroup")
                   ? QStringLiteral("cgroup %1").arg(info.value("cgroup").toString())
                   : QVariant();
    }
  }
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case IdColumn: return info.value("id").toString();
    case NameColumn: return info.value("name").toString();
    case StateColumn: return info.value("state").toString();
    case OwnerColumn: return user_name(info.value("owner_uid").toInteger(-1));
    case MemoryColumn: return format_bytes(info.value("mem").toInteger());
    case PidColumn:
      return info.contains("pid") ? QVariant(info.value("pid").toInteger()) : QVariant();
    case VmStateColumn: return vm_state_text(info);
    default: return {};
  }
}

QVariant VhvListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case IdColumn: return tr("ID");
    case NameColumn: return tr("Name");
    case StateColumn: return tr("State");
    case OwnerColumn: return tr("Owner");
    case MemoryColumn: return tr("Memory");
    case PidColumn: return tr("PID");
    case VmStateColumn: return tr("VM state");
    default: return {};
  }
}

QHash<int, QByteArray> VhvListModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
  names.insert(VhvIdRole, "vhvId");
  names.insert(NameRole, "name");
  names.insert(StateRole, "state");
  names.insert(VmStateRole, "vmState");
  names.insert(InfoRole, "info");
  return names;
}

int VhvListModel::row_of(const QString& vhv_id) const {
  for (int row = 0; row < m_rows.size(); ++row)
    if (m_rows[row].value("id").toString() == vhv_id) return row;
  return -1;
}

void VhvListModel::set_vhvs(const QJsonArray& vhvs) {
  QSet<QString> present;
  for (const QJsonValue& v : vhvs) present.insert(v.toObject().value("id").toString());

  // Rows that went away, from the bottom so row numbers stay valid.
  for (int row = static_cast<int>(m_rows.size()) - 1; row >= 0; --row) {
    if (present.contains(m_rows[row].value("id").toString())) continue;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
  }

  for (const QJsonValue& v : vhvs) {
    const QJsonObject info = v.toObject();
    const QString id = info.value("id").toString();
    if (id.isEmpty()) continue;
    const int row = row_of(id);
    if (row < 0) {
      const int at = static_cast<int>(m_rows.size());
      beginInsertRows({}, at, at);
      m_rows.append(info);
      endInsertRows();
    } else if (m_rows[row] != info) {
      m_rows[row] = info;
      emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
  }
}

void VhvListModel::clear() {
  if (m_rows.isEmpty()) return;
  beginResetModel();
  m_rows.clear();
  endResetModel();
}

}  // namespace nestlab::gui
