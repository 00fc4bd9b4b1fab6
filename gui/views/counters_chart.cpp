#include "gui/views/counters_chart.h"

#include <QTimer>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QValueAxis>

#include <cmath>

#include "gui/models/counter_model.h"

namespace nestlab::gui {

CountersChart::CountersChart(CounterModel* model, QWidget* parent)
    : QChartView(parent),
      m_model(model),
      m_set(new QBarSet(tr("exits"))),
      m_series(new QBarSeries),
      m_categories(new QBarCategoryAxis),
      m_values(new QValueAxis) {
  auto* chart = new QChart;  // Owned by the view.
  chart->legend()->hide();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setMargins(QMargins(4, 4, 4, 4));
  m_set->setColor(QColor(0x1f, 0x6f, 0xeb));
  m_series->append(m_set);
  m_set->setLabelColor(QColor(0x24, 0x29, 0x2f));
  m_series->setLabelsFormat(QStringLiteral("@value"));
  m_series->setLabelsVisible(true);
  m_series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
  chart->addSeries(m_series);
  chart->addAxis(m_categories, Qt::AlignBottom);
  chart->addAxis(m_values, Qt::AlignLeft);
  m_series->attachAxis(m_categories);
  m_series->attachAxis(m_values);
  m_values->setLabelFormat(QStringLiteral("%d"));
  m_values->setTickCount(6);  // Every "nice" top below divides into five steps.
  m_values->setRange(0, 5);
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(180);

  connect(model, &QAbstractItemModel::modelReset, this, &CountersChart::schedule_update);
  connect(model, &QAbstractItemModel::layoutChanged, this, &CountersChart::schedule_update);
  connect(model, &QAbstractItemModel::rowsInserted, this, &CountersChart::schedule_update);
  connect(model, &QAbstractItemModel::rowsRemoved, this, &CountersChart::schedule_update);
  connect(model, &QAbstractItemModel::dataChanged, this, &CountersChart::schedule_update);
  set_title(QString());
  update_bars();
}

void CountersChart::set_title(const QString& title) {
  chart()->setTitle(title.isEmpty() ? tr("Exits per exception class") : title);
}

void CountersChart::schedule_update() {
  if (m_update_pending) return;
  m_update_pending = true;
  QTimer::singleShot(0, this, &CountersChart::update_bars);
}

void CountersChart::update_bars() {
  m_update_pending = false;
  if (!m_model) return;
  QStringList categories;
  QList<qreal> values;
  qreal highest = 0;
  for (int row = 0; row < m_model->rowCount(); ++row) {
    const QModelIndex index = m_model->index(row, 0);
    categories << index.data(CounterModel::ClassRole).toString();
    const qreal value = index.data(CounterModel::CountRole).toLongLong();
    values << value;
    highest = std::max(highest, value);
  }
  if (categories != m_categories->categories()) {
    m_categories->clear();
    m_categories->append(categories);
  }
  if (m_set->count() != values.size()) {
    m_set->remove(0, m_set->count());
    m_set->append(values);
  } else {
    for (int i = 0; i < values.size(); ++i)
      if (m_set->at(i) != values[i]) m_set->replace(i, values[i]);
  }
  // Head room for the labels above the bars, on a round number.
  const qreal top = highest <= 0 ? 10 : std::pow(10, std::ceil(std::log10(highest * 1.15)));
  const qreal nice = top / 2 >= highest * 1.15 ? top / 2 : top;
  m_values->setRange(0, nice);
}

QList<QPair<QString, qreal>> CountersChart::bars() const {
  QList<QPair<QString, qreal>> out;
  const QStringList categories = m_categories->categories();
  for (int i = 0; i < categories.size() && i < m_set->count(); ++i)
    out.append({categories[i], m_set->at(i)});
  return out;
}

}  // namespace nestlab::gui
