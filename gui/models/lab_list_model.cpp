#include "gui/models/lab_list_model.h"

namespace nestlab::gui {

int LabListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_labs.size());
}

int LabListModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

int LabListModel::step_count(const QJsonObject& lab) {
  const QJsonValue steps = lab.value("steps");
  if (steps.isArray()) return static_cast<int>(steps.toArray().size());
  return steps.isDouble() ? steps.toInt() : -1;
}

qint64 LabListModel::max_points(const QJsonObject& lab) {
  for (const char* key : {"max_score", "max_points", "points"})
    if (lab.value(QLatin1String(key)).isDouble()) return lab.value(QLatin1String(key)).toInteger();
  const QJsonValue steps = lab.value("steps");
  if (!steps.isArray()) return -1;
  qint64 sum = 0;
  for (const QJsonValue& step : steps.toArray()) sum += step.toObject().value("points").toInteger();
  return sum;
}

QVariant LabListModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const QJsonObject& lab = m_labs[index.row()];
  switch (role) {
    case LabIdRole: return lab.value("id").toString();
    case TitleRole: return lab.value("title").toString();
    case SummaryRole: return lab.value("summary").toString();
    case InfoRole: return lab;
    case Qt::ToolTipRole: return lab.value("summary").toString();
    case Qt::DisplayRole: break;
    default: return {};
  }
  switch (index.column()) {
    case IdColumn: return lab.value("id").toString();
    case TitleColumn: return lab.value("title").toString();
    case StepsColumn: {
      const int steps = step_count(lab);
      return steps < 0 ? QVariant() : QVariant(steps);
    }
    case PointsColumn: {
      const qint64 points = max_points(lab);
      return points < 0 ? QVariant() : QVariant(points);
    }
    default: return {};
  }
}

QVariant LabListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case IdColumn: return tr("Lab");
    case TitleColumn: return tr("Title");
    case StepsColumn: return tr("Steps");
    case PointsColumn: return tr("Points");
    default: return {};
  }
}

void LabListModel::set_labs(const QJsonArray& labs) {
  beginResetModel();
  m_labs.clear();
  for (const QJsonValue& v : labs) {
    const QJsonObject lab = v.toObject();
    if (!lab.value("id").toString().isEmpty()) m_labs.append(lab);
  }
  endResetModel();
}

int LabListModel::row_of(const QString& lab_id) const {
  for (int row = 0; row < m_labs.size(); ++row)
    if (m_labs[row].value("id").toString() == lab_id) return row;
  return -1;
}

}  // namespace nestlab::gui
