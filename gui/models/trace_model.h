// The tail of a VM's trap trace ring (vm.trace, docs/protocols.md "Trap
// observation"): one row per trapped exit, oldest first, at most kMaxRows
// (the oldest go first). Passive: TraceClient feeds it.
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace nestlab::gui {

class TraceModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  static constexpr int kMaxRows = 2000;

  enum Column {
    VcpuColumn,
    SeqColumn,
    TimeColumn,
    ClassColumn,
    PcColumn,
    IssColumn,
    ResultColumn,
    DetailColumn,
    ColumnCount
  };
  Q_ENUM(Column)

  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Appends vm.trace entries; `lost` is how many records the ring
  // overwrote before we read them (summed in lost()).
  void append(const QJsonArray& entries, qint64 lost);
  void clear();

  QJsonObject entry(int row) const { return m_rows.value(row); }
  qint64 lost() const { return m_lost; }

 private:
  QList<QJsonObject> m_rows;
  qint64 m_lost = 0;
};

}  // namespace nestlab::gui
