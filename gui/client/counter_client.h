// The exit counters of the selected VM: vm.stats {vhv, vm} every second while
// one is selected, plus the final counts its vm-exit event carries. Owns the
// CounterModel the chart and table show; the rest of vm.stats (vCPU run and
// wait time, migrations, weight) is last_stats().
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
  int vm() const { return m_vm; }
  // The last vm.stats result for (vhv(), vm()), empty until one arrived.
  QJsonObject last_stats() const { return m_last_stats; }

  // Follows VM `vm` of another VHV (empty: none). Counters start over.
  void set_vm(const QString& vhv_id, int vm);
  void refresh();

 signals:
  void statsChanged(const QJsonObject& stats);
  void vmChanged(const QString& vhv_id, int vm);

 private:
  void on_notification(const QString& method, const QJsonObject& params);

  KernelConnection* m_connection;  // Not owned.
  CounterModel* m_model;           // Child of this.
  QString m_vhv;
  int m_vm = 0;
  QJsonObject m_last_stats;
  QTimer m_poll_timer;
  QElapsedTimer m_clock;
  bool m_in_flight = false;
  quint64 m_generation = 0;  // Replies for an earlier set_vm() are dropped.
};

}  // namespace nestlab::gui
