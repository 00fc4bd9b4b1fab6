// The labs `nestlab lab list --json` knows, one row each, in its order.
// Passive: LabClient feeds it. Lenient about fields it does not need, so a
// lab list that grows keeps working.
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace nestlab::gui {

class LabListModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { IdColumn, TitleColumn, StepsColumn, PointsColumn, ColumnCount };
  Q_ENUM(Column)

  enum Role {
    LabIdRole = Qt::UserRole + 1,  // QString "01-boot"
    TitleRole,                     // QString
    SummaryRole,                   // QString
    InfoRole,                      // QJsonObject, the whole entry
  };
  Q_ENUM(Role)

  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Replaces the list (a reset: labs come and go only with a new build).
  // Entries without an id are left out.
  void set_labs(const QJsonArray& labs);
  int row_of(const QString& lab_id) const;
  QJsonObject info(int row) const { return m_labs.value(row); }

  // The number of steps and the points a lab is worth, -1 when the entry
  // does not say (`steps` may be a count or the list of steps).
  static int step_count(const QJsonObject& lab);
  static qint64 max_points(const QJsonObject& lab);

 private:
  QList<QJsonObject> m_labs;
};

}  // namespace nestlab::gui
