// Exit counters per exception class of one VHV's guest ("HVC64": 3, ...), as
// vhv.inspect and the vm-exit event report them, with the rate since the
// previous sample. Rows are sorted by class name and never reorder, so a
// chart bound to the model keeps its bars in place. Passive: CounterClient
// feeds it.
#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace nestlab::gui {

class CounterModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { ClassColumn, CountColumn, RateColumn, ColumnCount };
  Q_ENUM(Column)

  enum Role {
    ClassRole = Qt::UserRole + 1,  // QString "HVC64"
    CountRole,                     // qint64
    RateRole,                      // double, exits per second over the last interval
  };
  Q_ENUM(Role)

  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // A new sample taken at `now_ms` (monotonic). Classes missing from
  // `counters` keep their last count; counters only grow while one guest runs.
  void set_counters(const QJsonObject& counters, qint64 now_ms);
  // Forgets everything (another VHV was selected, or a new guest started).
  void clear();

  qint64 count(const QString& exception_class) const;
  qint64 total() const;

 private:
  struct Row {
    QString exception_class;
    qint64 count = 0;
    double rate = 0;
  };
  QList<Row> m_rows;
  qint64 m_last_sample_ms = -1;
};

}  // namespace nestlab::gui
