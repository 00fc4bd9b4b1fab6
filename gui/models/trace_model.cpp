#include "gui/models/trace_model.h"

#include <QColor>

namespace nestlab::gui {

int TraceModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TraceModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraceModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_rows.size()) return {};
  const QJsonObject& e = m_rows[index.row()];
  if (role == Qt::ForegroundRole && index.column() == ResultColumn) {
    const QString result = e.value("result").toString();
    if (result == "stop") return QColor(0xcf, 0x22, 0x2e);
    if (result == "reboot") return QColor(0xd2, 0x99, 0x22);
    return {};
  }
  if (role == Qt::ToolTipRole)
    return QStringLiteral("EC 0x%1 %2")
        .arg(e.value("ec").toInt(), 2, 16, QLatin1Char('0'))
        .arg(e.value("class").toString());
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case VcpuColumn: return e.value("vcpu").toInt();
    case SeqColumn: return e.value("seq").toInteger();
    case TimeColumn:  // Seconds since the VHV's counter started, µs resolution.
      return QStringLiteral("%1").arg(static_cast<double>(e.value("time_ns").toInteger()) / 1e9, 0,
                                      'f', 6);
    case ClassColumn: return e.value("class").toString();
    case PcColumn: return e.value("pc").toString();
    case IssColumn: return e.value("iss").toString();
    case ResultColumn: return e.value("result").toString();
    case DetailColumn: return e.value("detail").toVariant();
    default: return {};
  }
}

QVariant TraceModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case VcpuColumn: return tr("vCPU");
    case SeqColumn: return tr("Seq");
    case TimeColumn: return tr("Time (s)");
    case ClassColumn: return tr("Class");
    case PcColumn: return tr("PC");
    case IssColumn: return tr("ISS");
    case ResultColumn: return tr("Result");
    case DetailColumn: return tr("Detail");
    default: return {};
  }
}

void TraceModel::append(const QJsonArray& entries, qint64 lost) {
  m_lost += lost;
  if (entries.isEmpty()) return;
  // Entries beyond the cap that would be dropped at once are skipped.
  const qsizetype skip = std::max<qsizetype>(0, entries.size() - kMaxRows);
  const qsizetype incoming = entries.size() - skip;
  const qsizetype overflow = m_rows.size() + incoming - kMaxRows;
  if (overflow > 0) {
    beginRemoveRows({}, 0, static_cast<int>(overflow) - 1);
    m_rows.remove(0, overflow);
    endRemoveRows();
  }
  const int first = static_cast<int>(m_rows.size());
  beginInsertRows({}, first, first + static_cast<int>(incoming) - 1);
  for (qsizetype i = skip; i < entries.size(); ++i) m_rows.append(entries[i].toObject());
  endInsertRows();
}

void TraceModel::clear() {
  m_lost = 0;
  if (m_rows.isEmpty()) return;
  beginResetModel();
  m_rows.clear();
  endResetModel();
}

}  // namespace nestlab::gui
