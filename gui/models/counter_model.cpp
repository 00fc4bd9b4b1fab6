#include "gui/models/counter_model.h"

#include <algorithm>

namespace nestlab::gui {

int CounterModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CounterModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant CounterModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_rows.size()) return {};
  const Row& row = m_rows[index.row()];
  switch (role) {
    case ClassRole: return row.exception_class;
    case CountRole: return row.count;
    case RateRole: return row.rate;
    case Qt::TextAlignmentRole:
      return index.column() == ClassColumn ? QVariant()
                                           : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::DisplayRole:
      switch (index.column()) {
        case ClassColumn: return row.exception_class;
        case CountColumn: return row.count;
        case RateColumn: return QString::number(row.rate, 'f', 0);
        default: return {};
      }
    default: return {};
  }
}

QVariant CounterModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ClassColumn: return tr("Exception class");
    case CountColumn: return tr("Exits");
    case RateColumn: return tr("Exits/s");
    default: return {};
  }
}

void CounterModel::set_counters(const QJsonObject& counters, qint64 now_ms) {
  const double seconds =
      m_last_sample_ms < 0 || now_ms <= m_last_sample_ms ? 0 : (now_ms - m_last_sample_ms) / 1000.0;
  m_last_sample_ms = now_ms;

  for (auto it = counters.begin(); it != counters.end(); ++it) {
    const QString name = it.key();
    const qint64 value = it.value().toInteger();
    auto found =
        std::lower_bound(m_rows.begin(), m_rows.end(), name,
                         [](const Row& r, const QString& n) { return r.exception_class < n; });
    const int row = static_cast<int>(found - m_rows.begin());
    if (found == m_rows.end() || found->exception_class != name) {
      beginInsertRows({}, row, row);
      m_rows.insert(row, Row{name, value, 0});
      endInsertRows();
      continue;
    }
    Row& r = m_rows[row];
    const double rate = seconds > 0 ? std::max<qint64>(0, value - r.count) / seconds : 0;
    if (r.count == value && r.rate == rate) continue;
    r.count = value;
    r.rate = rate;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
  }
  // Classes that did not move this interval have a rate of zero now.
  for (int row = 0; row < m_rows.size(); ++row) {
    if (counters.contains(m_rows[row].exception_class) || m_rows[row].rate == 0) continue;
    m_rows[row].rate = 0;
    emit dataChanged(index(row, RateColumn), index(row, RateColumn));
  }
}

void CounterModel::clear() {
  m_last_sample_ms = -1;
  if (m_rows.isEmpty()) return;
  beginResetModel();
  m_rows.clear();
  endResetModel();
}

qint64 CounterModel::count(const QString& exception_class) const {
  for (const Row& r : m_rows)
    if (r.exception_class == exception_class) return r.count;
  return 0;
}

qint64 CounterModel::total() const {
  qint64 sum = 0;
  for (const Row& r : m_rows) sum += r.count;
  return sum;
}

}  // namespace nestlab::gui
