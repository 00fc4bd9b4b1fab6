#include "gui/models/lab_result_model.h"

#include <QColor>

namespace nestlab::gui {

namespace {

QString one_line(const QString& text) {
  QString line = text;
  line.replace(QLatin1Char('\n'), QStringLiteral(" ⏎ "));
  return line;
}

}  // namespace

QString LabResultModel::status_of(const QJsonObject& step) {
  const QString status = step.value("status").toString();
  if (!status.isEmpty()) return status;
  // Reports that only say passed: true/false.
  return step.value("passed").toBool() ? QStringLiteral("passed") : QStringLiteral("failed");
}

int LabResultModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_steps.size());
}

int LabResultModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant LabResultModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  const QJsonObject& step = m_steps[index.row()];
  const QString status = status_of(step);
  const bool passed = status == QLatin1String("passed");
  switch (role) {
    case PassedRole: return passed;
    case StatusRole: return status;
    case StepRole: return step;
    case Qt::DecorationRole:
      if (index.column() != ResultColumn) return {};
      if (passed) return QColor(0x2e, 0xa0, 0x43);
      return status == QLatin1String("not-reached") ? QColor(0x80, 0x80, 0x80)
                                                    : QColor(0xcf, 0x22, 0x2e);
    case Qt::TextAlignmentRole:
      return index.column() == PointsColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
                                            : QVariant();
    case Qt::ToolTipRole: {
      if (index.column() == StepColumn)
        return tr("%1 step, %2 guest ms")
            .arg(step.value("kind").toString())
            .arg(step.value("guest_ms").toDouble(), 0, 'f', 1);
      if (index.column() != ExpectedColumn && index.column() != SeenColumn) return {};
      QString tip = step.value(index.column() == ExpectedColumn ? "expected" : "seen").toString();
      const QJsonArray tail = step.value("console_tail").toArray();
      if (index.column() == SeenColumn && !tail.isEmpty()) {
        tip += tr("\n\nlast console lines:");
        for (const QJsonValue& line : tail) tip += QLatin1Char('\n') + line.toString();
      }
      return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case Qt::DisplayRole: break;
    default: return {};
  }
  switch (index.column()) {
    case StepColumn: return step.value("name").toString();
    case ResultColumn: return status;
    case PointsColumn: {
      const qint64 points = step.value("points").toInteger();
      return step.contains("max_points")
                 ? QStringLiteral("%1/%2").arg(points).arg(step.value("max_points").toInteger())
                 : QString::number(points);
    }
    case ExpectedColumn: return one_line(step.value("expected").toString());
    case SeenColumn: return one_line(step.value("seen").toString());
    default: return {};
  }
}

QVariant LabResultModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case StepColumn: return tr("Step");
    case ResultColumn: return tr("Result");
    case PointsColumn: return tr("Points");
    case ExpectedColumn: return tr("Expected");
    case SeenColumn: return tr("Seen");
    default: return {};
  }
}

void LabResultModel::set_report(const QJsonObject& report) {
  beginResetModel();
  m_report = report;
  m_steps.clear();
  for (const QJsonValue& v : report.value("steps").toArray())
    if (v.isObject()) m_steps.append(v.toObject());
  endResetModel();
}

void LabResultModel::clear() { set_report({}); }

int LabResultModel::passed_steps() const {
  int count = 0;
  for (const QJsonObject& step : m_steps) count += status_of(step) == QLatin1String("passed");
  return count;
}

QString LabResultModel::summary() const {
  if (!has_report()) return {};
  if (!build_ok()) return tr("%1: the build failed; score 0/%2").arg(lab()).arg(max_score());
  QString text = tr("%1: %2/%3, %4 of %5 steps passed")
                     .arg(lab())
                     .arg(score())
                     .arg(max_score())
                     .arg(passed_steps())
                     .arg(m_steps.size());
  const QString end = m_report.value("guest_end").toString();
  if (!end.isEmpty()) text += tr("; the guest %1").arg(end);
  return text;
}

}  // namespace nestlab::gui
