// A bar chart of a CounterModel: one bar per exception class, its height the
// exit count. Redrawn (at most once per event-loop turn) whenever the model
// changes, which CounterClient makes happen once a second.
#pragma once

#include <QPointer>
#include <QtCharts/QChartView>

QT_FORWARD_DECLARE_CLASS(QBarSet)
QT_FORWARD_DECLARE_CLASS(QBarSeries)
QT_FORWARD_DECLARE_CLASS(QBarCategoryAxis)
QT_FORWARD_DECLARE_CLASS(QValueAxis)

namespace nestlab::gui {

class CounterModel;

class CountersChart : public QChartView {
  Q_OBJECT

 public:
  explicit CountersChart(CounterModel* model, QWidget* parent = nullptr);

  void set_title(const QString& title);
  // What the bars show now, for tests: class name → height.
  QList<QPair<QString, qreal>> bars() const;

 private:
  void schedule_update();
  void update_bars();

  QPointer<CounterModel> m_model;  // Not owned.
  QBarSet* m_set;                  // Owned by m_series.
  QBarSeries* m_series;            // Owned by the chart.
  QBarCategoryAxis* m_categories;  // Owned by the chart.
  QValueAxis* m_values;            // Owned by the chart.
  bool m_update_pending = false;
};

}  // namespace nestlab::gui
