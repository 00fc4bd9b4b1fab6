// The kernel's event stream (events.subscribe): one row per `event`
// notification, newest last, bounded so a chatty VHV cannot grow the GUI
// without limit. The GUI's own connection notes go here too, marked as such.
// Passive: EventClient feeds it.
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace nestlab::gui {

class EventLogModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { TimeColumn, VhvColumn, TypeColumn, DetailsColumn, ColumnCount };
  Q_ENUM(Column)

  enum Role {
    TypeRole = Qt::UserRole + 1,  // QString "vm-exit", ..., or "gui" for our own notes
    VhvIdRole,                    // QString
    ParamsRole,                   // QJsonObject, the notification's params
  };
  Q_ENUM(Role)

  static constexpr int kDefaultCapacity = 5000;

  explicit EventLogModel(QObject* parent = nullptr, int capacity = kDefaultCapacity);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  void append_event(const QJsonObject& params,
                    const QDateTime& when = QDateTime::currentDateTime());
  void append_note(const QString& text, const QDateTime& when = QDateTime::currentDateTime());
  void clear();

  int capacity() const { return m_capacity; }

 private:
  struct Entry {
    QDateTime when;
    QJsonObject params;
    QString details;
  };
  void append(Entry entry);

  int m_capacity;
  QList<Entry> m_entries;
};

// "poweroff, code 0: ..." — the interesting fields of one event, in words.
QString describe_event(const QJsonObject& params);

}  // namespace nestlab::gui
