// The VHVs the kernel reports (vhv.list), one row each, in the order they
// first appeared, with their resource use and pause state: the one store
// of what the GUI knows about VHVs. InventoryModel shows it as the tenant ->
// VHV -> VM tree. Passive: VhvClient feeds it; it never talks to the kernel.
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>

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
    CpuColumn,         // CPU % of the VHV's cgroup since the previous vhv.stats
    MemoryUsedColumn,  // cgroup memory current (peak in the tooltip)
    PidsColumn,        // cgroup pids current / limit
    ColumnCount
  };
  Q_ENUM(Column)

  enum Role {
    VhvIdRole = Qt::UserRole + 1,  // QString "vhv-3"
    NameRole,                      // QString
    StateRole,                     // QString "starting"|"ready"|"running"|"stopped"|"failed"
    VmStateRole,                   // QString, empty when no VM was run
    InfoRole,                      // QJsonObject, the whole VhvInfo
    CpuPercentRole,                // double, -1 until two vhv.stats samples
    MemoryUsedRole,                // qint64 bytes, -1 when unknown
    PidsRole,                      // qint64, -1 when unknown
    PausedRole,                    // bool, as far as our own vhv.pause/resume know
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

  // Resource use from one vhv.stats result (docs/protocols.md, "Resource
  // usage"), sampled at `now_ns` on a monotonic clock. CPU % comes from
  // the cpu_ns difference to the previous sample (100 % = one host CPU).
  void set_usage(const QString& vhv_id, const QJsonObject& stats, qint64 now_ns);

  // Paused VHVs show "(paused)" after their state; forgotten when the
  // highvisor goes (a new one starts unpaused).
  void set_paused(const QString& vhv_id, bool paused);
  bool paused(const QString& vhv_id) const { return m_paused.contains(vhv_id); }

  struct Usage {
    qint64 cpu_ns = -1;
    qint64 sample_ns = 0;
    double cpu_percent = -1;
    qint64 memory = -1, memory_peak = -1, memory_limit = -1;
    qint64 pids = -1, pids_limit = -1;
    QString note;  // Why there are no figures (no cgroup, not running).
  };
  Usage usage(const QString& vhv_id) const { return m_usage.value(vhv_id); }

 private:
  QVariant usage_data(const QString& vhv_id, int column, int role) const;

  QList<QJsonObject> m_rows;
  QHash<QString, Usage> m_usage;
  QSet<QString> m_paused;
};

// "128 MiB", "1.5 GiB": memory sizes as people read them.
QString format_bytes(qint64 bytes);

}  // namespace nestlab::gui
