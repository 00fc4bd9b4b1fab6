// The VHVs the kernel reports (vhv.list), one row each, in the order they
// first appeared. Passive: VhvClient feeds it; it never talks to the kernel.
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace nestlab::gui {

class VhvListModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    IdColumn,
    NameColumn,
    StateColumn,
    OwnerColumn,
    MemoryColumn,
    PidColumn,
    VmStateColumn,
    ColumnCount
  };
  Q_ENUM(Column)

  enum Role {
    VhvIdRole = Qt::UserRole + 1,  // QString "vhv-3"
    NameRole,                      // QString
    StateRole,                     // QString "starting"|"ready"|"running"|"stopped"|"failed"
    VmStateRole,                   // QString, empty when no VM was run
    InfoRole,                      // QJsonObject, the whole VhvInfo
  };
  Q_ENUM(Role)

  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Replaces the contents with vhv.list's result, keeping rows (and so the
  // views' selection) of VHVs that are still there.
  void set_vhvs(const QJsonArray& vhvs);
  void clear();

  // -1 when absent.
  int row_of(const QString& vhv_id) const;
  QJsonObject info(int row) const { return m_rows.value(row); }

 private:
  QList<QJsonObject> m_rows;
};

// "128 MiB", "1.5 GiB": memory sizes as people read them.
QString format_bytes(qint64 bytes);

}  // namespace nestlab::gui
