// One grade's per-step results, from the report `nestlab lab grade --json`
// prints and writes to <dir>/grade/report.json (docs/labs.md, "Reports";
// console/lab/report_json.cpp): each step's name, points, status and, for
// a failure, what was expected next to what was seen. Passive: LabClient
// feeds it.
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace nestlab::gui {

class LabResultModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { StepColumn, ResultColumn, PointsColumn, ExpectedColumn, SeenColumn, ColumnCount };
  Q_ENUM(Column)

  enum Role {
    PassedRole = Qt::UserRole + 1,  // bool
    StatusRole,                     // QString "passed"|"failed"|"not-reached"
    StepRole,                       // QJsonObject, the step's whole entry
  };
  Q_ENUM(Role)

  using QAbstractTableModel::QAbstractTableModel;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  // Shows a report (a reset: a grade replaces the previous one).
  void set_report(const QJsonObject& report);
  void clear();

  QJsonObject report() const { return m_report; }
  bool has_report() const { return !m_report.isEmpty(); }
  QString lab() const { return m_report.value("lab").toString(); }
  qint64 score() const { return m_report.value("score").toInteger(); }
  qint64 max_score() const { return m_report.value("max_score").toInteger(); }
  bool passed() const { return m_report.value("passed").toBool(); }
  bool build_ok() const { return m_report.value("build").toObject().value("ok").toBool(true); }
  int passed_steps() const;
  // One line: "01-boot: 100/100, 4 of 4 steps passed", or why it failed.
  QString summary() const;

  static QString status_of(const QJsonObject& step);

 private:
  QJsonObject m_report;
  QList<QJsonObject> m_steps;
};

}  // namespace nestlab::gui
