#include "gui/models/event_log_model.h"

#include <QColor>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

namespace nestlab::gui {

namespace {

QString compact(const QJsonValue& value) {
  if (value.isString()) return value.toString();
  if (value.isDouble()) return QString::number(value.toDouble(), 'g', 15);
  if (value.isBool()) return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
  if (value.isObject())
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
  if (value.isArray())
    return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
  return QStringLiteral("null");
}

QString counters_summary(const QJsonObject& counters) {
  QStringList parts;
  for (auto it = counters.begin(); it != counters.end(); ++it)
    parts << QStringLiteral("%1=%2").arg(it.key()).arg(it.value().toInteger());
  return parts.join(' ');
}

}  // namespace

QString describe_event(const QJsonObject& params) {
  const QString type = params.value("type").toString();
  if (type == "log") return params.value("text").toString().trimmed();
  if (type == "vhv-failed") return params.value("message").toString();
  if (type == "vhv-stopped")
    return QStringLiteral("status %1").arg(compact(params.value("status")));
  if (type == "vm-started") return QStringLiteral("VM %1").arg(params.value("vm").toInt());
  if (type == "vm-exit") {
    QString text = QStringLiteral("VM %1 %2, code %3")
                       .arg(params.value("vm").toInt())
                       .arg(params.value("reason").toString())
                       .arg(params.value("code").toInt());
    const QString message = params.value("message").toString();
    if (!message.isEmpty()) text += QStringLiteral(": ") + message;
    const QJsonObject counters = params.value("counters").toObject();
    if (!counters.isEmpty()) text += QStringLiteral(" [") + counters_summary(counters) + ']';
    return text;
  }
  QStringList parts;
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (it.key() == "vhv" || it.key() == "type") continue;
    parts << QStringLiteral("%1=%2").arg(it.key(), compact(it.value()));
  }
  return parts.join(' ');
}

EventLogModel::EventLogModel(QObject* parent, int capacity)
    : QAbstractTableModel(parent), m_capacity(std::max(1, capacity)) {}

int EventLogModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int EventLogModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_entries.size()) return {};
  const Entry& e = m_entries[index.row()];
  const QString type = e.params.value("type").toString();
  switch (role) {
    case TypeRole: return type;
    case VhvIdRole: return e.params.value("vhv").toString();
    case ParamsRole: return e.params;
    case Qt::ToolTipRole: return e.details;
    case Qt::ForegroundRole:
      if (type == "vhv-failed" || (type == "vm-exit" && e.params.value("reason") == "fault"))
        return QColor(0xcf, 0x22, 0x2e);
      if (type == "gui") return QColor(0x80, 0x80, 0x80);
      return {};
    case Qt::DisplayRole:
      switch (index.column()) {
        case TimeColumn: return e.when.toString(QStringLiteral("HH:mm:ss.zzz"));
        case VhvColumn: return e.params.value("vhv").toString();
        case TypeColumn: return type;
        case DetailsColumn: return e.details;
        default: return {};
      }
    default: return {};
  }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case TimeColumn: return tr("Time");
    case VhvColumn: return tr("VHV");
    case TypeColumn: return tr("Event");
    case DetailsColumn: return tr("Details");
    default: return {};
  }
}

void EventLogModel::append_event(const QJsonObject& params, const QDateTime& when) {
  append(Entry{when, params, describe_event(params)});
}

void EventLogModel::append_note(const QString& text, const QDateTime& when) {
  append(Entry{when, QJsonObject{{"type", "gui"}}, text});
}

void EventLogModel::append(Entry entry) {
  if (m_entries.size() >= m_capacity) {
    const int excess = static_cast<int>(m_entries.size()) - m_capacity + 1;
    beginRemoveRows({}, 0, excess - 1);
    m_entries.remove(0, excess);
    endRemoveRows();
  }
  const int row = static_cast<int>(m_entries.size());
  beginInsertRows({}, row, row);
  m_entries.append(std::move(entry));
  endInsertRows();
}

void EventLogModel::clear() {
  if (m_entries.isEmpty()) return;
  beginResetModel();
  m_entries.clear();
  endResetModel();
}

}  // namespace nestlab::gui
