// The exit counters of the selected VHV: vhv.inspect every second while one
// is selected, plus the final counts a vm-exit event carries. Owns the
// CounterModel the chart and table show.
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include "gui/client/kernel_connection.h"
#include "gui/models/counter_model.h"

namespace nestlab::gui {

class CounterClient : public QObject {
  Q_OBJECT

 public:
  static constexpr std::chrono::milliseconds kPollInterval{1000};

  explicit CounterClient(KernelConnection* connection, QObject* parent = nullptr);

  CounterModel* model() const { return m_model; }
  QString vhv() const { return m_vhv; }
  // The last vhv.inspect result for vhv(), empty until one arrived.
  QJsonObject last_info() const { return m_last_info; }

  // Follows another VHV (empty: none). Counters start over.
  void set_vhv(const QString& vhv_id);
  void refresh();

 signals:
  void infoChanged(const QJsonObject& info);
  void vhvChanged(const QString& vhv_id);

 private:
  void on_notification(const QString& method, const QJsonObject& params);

  KernelConnection* m_connection;  // Not owned.
  CounterModel* m_model;           // Child of this.
  QString m_vhv;
  QJsonObject m_last_info;
  QTimer m_poll_timer;
  QElapsedTimer m_clock;
  bool m_in_flight = false;
};

}  // namespace nestlab::gui
