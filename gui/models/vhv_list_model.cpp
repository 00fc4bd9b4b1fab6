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
    case CpuPercentRole: return m_usage.value(info.value("id").toString()).cpu_percent;
    case MemoryUsedRole: return m_usage.value(info.value("id").toString()).memory;
    case PidsRole: return m_usage.value(info.value("id").toString()).pids;
    case PausedRole: return m_paused.contains(info.value("id").toString());
    default: break;
  }
  if (index.column() >= CpuColumn)
    return usage_data(info.value("id").toString(), index.column(), role);
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
    case StateColumn:
      return m_paused.contains(info.value("id").toString())
                 ? tr("%1 (paused)").arg(info.value("state").toString())
                 : info.value("state").toString();
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
    case CpuColumn: return tr("CPU %");
    case MemoryUsedColumn: return tr("Mem used");
    case PidsColumn: return tr("PIDs");
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
    m_usage.remove(m_rows[row].value("id").toString());
    m_paused.remove(m_rows[row].value("id").toString());
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
      const QString state = info.value("state").toString();
      if (info.value("pid") != m_rows[row].value("pid") || state == QLatin1String("stopped") ||
          state == QLatin1String("failed"))
        m_paused.remove(id);
      m_rows[row] = info;
      emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
  }
}

void VhvListModel::clear() {
  if (m_rows.isEmpty()) return;
  beginResetModel();
  m_rows.clear();
  m_usage.clear();
  m_paused.clear();
  endResetModel();
}

void VhvListModel::set_paused(const QString& vhv_id, bool paused) {
  const int row = row_of(vhv_id);
  if (row < 0 || m_paused.contains(vhv_id) == paused) return;
  if (paused)
    m_paused.insert(vhv_id);
  else
    m_paused.remove(vhv_id);
  emit dataChanged(index(row, StateColumn), index(row, StateColumn));
}

void VhvListModel::set_usage(const QString& vhv_id, const QJsonObject& stats, qint64 now_ns) {
  const int row = row_of(vhv_id);
  if (row < 0) return;
  Usage& usage = m_usage[vhv_id];
  const QJsonValue raw = stats.value("usage");
  if (!raw.isObject()) {
    usage = Usage{};
    usage.note = stats.value("note").toString(tr("no resource figures"));
  } else {
    const QJsonObject u = raw.toObject();
    const qint64 cpu_ns = u.value("cpu_ns").toInteger(-1);
    if (usage.cpu_ns >= 0 && cpu_ns >= usage.cpu_ns && now_ns > usage.sample_ns)
      usage.cpu_percent = 100.0 * static_cast<double>(cpu_ns - usage.cpu_ns) /
                          static_cast<double>(now_ns - usage.sample_ns);
    usage.cpu_ns = cpu_ns;
    usage.sample_ns = now_ns;
    const QJsonObject memory = u.value("memory").toObject();
    usage.memory = memory.value("current").toInteger(-1);
    usage.memory_peak = memory.value("peak").toInteger(-1);
    usage.memory_limit = memory.value("limit").toInteger(-1);
    const QJsonObject pids = u.value("pids").toObject();
    usage.pids = pids.value("current").toInteger(-1);
    usage.pids_limit = pids.value("limit").toInteger(-1);
    usage.note.clear();
  }
  emit dataChanged(index(row, CpuColumn), index(row, PidsColumn));
}

QVariant VhvListModel::usage_data(const QString& vhv_id, int column, int role) const {
  const auto it = m_usage.constFind(vhv_id);
  if (role == Qt::TextAlignmentRole) return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  if (it == m_usage.constEnd()) return {};
  const Usage& u = *it;
  if (role == Qt::ToolTipRole) {
    if (!u.note.isEmpty()) return u.note;
    switch (column) {
      case CpuColumn:
        return tr("CPU time of the VHV's cgroup: %1 s (100 % = one host CPU)")
            .arg(static_cast<double>(u.cpu_ns) / 1e9, 0, 'f', 2);
      case MemoryUsedColumn:
        return tr("current %1, peak %2, limit %3")
            .arg(format_bytes(u.memory), u.memory_peak >= 0 ? format_bytes(u.memory_peak) : "?",
                 u.memory_limit >= 0 ? format_bytes(u.memory_limit) : tr("none"));
      case PidsColumn:
        return tr("processes and threads in the VHV's cgroup, limit %1")
            .arg(u.pids_limit >= 0 ? QString::number(u.pids_limit) : tr("none"));
      default: return {};
    }
  }
  if (role != Qt::DisplayRole) return {};
  if (!u.note.isEmpty()) return column == CpuColumn ? QStringLiteral("—") : QVariant();
  switch (column) {
    case CpuColumn:
      return u.cpu_percent < 0 ? QStringLiteral("…")
                               : QStringLiteral("%1").arg(u.cpu_percent, 0, 'f', 1);
    case MemoryUsedColumn: return u.memory >= 0 ? format_bytes(u.memory) : QVariant();
    case PidsColumn:
      if (u.pids < 0) return {};
      return u.pids_limit >= 0 ? QStringLiteral("%1 / %2").arg(u.pids).arg(u.pids_limit)
                               : QString::number(u.pids);
    default: return {};
  }
}

}  // namespace nestlab::gui
