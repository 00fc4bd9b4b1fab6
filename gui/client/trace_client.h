// The trap trace ring of the selected VM: vm.trace {vhv, vm} with a cursor
// every kPollInterval while following, so the model gets each record once
// and in order. (vm.trace's own follow mode streams notifications until the
// connection closes, with no way to stop one VM's stream when the
// selection moves on; a cursor poll gives the same records and stops.)
// Owns the TraceModel the trace panel shows.
#pragma once

#include <QJsonArray>
#include <QObject>
#include <QTimer>

#include "gui/client/kernel_connection.h"
#include "gui/models/trace_model.h"

namespace nestlab::gui {

class TraceClient : public QObject {
  Q_OBJECT

 public:
  static constexpr std::chrono::milliseconds kPollInterval{500};
  static constexpr int kLimit = 512;  // Records per call (the API allows 1024).

  explicit TraceClient(KernelConnection* connection, QObject* parent = nullptr);

  TraceModel* model() const { return m_model; }
  QString vhv() const { return m_vhv; }
  int vm() const { return m_vm; }
  bool following() const { return m_following; }
  // One line: how many records, lost ones, or why there are none.
  QString status() const { return m_status; }

  // Shows VM `vm` of another VHV (empty: none); the tail starts over.
  void set_vm(const QString& vhv_id, int vm);
  // Following fetches new records as they come; off freezes the panel.
  void set_following(bool following);
  void refresh();

 signals:
  void statusChanged(const QString& status);

 private:
  void set_status(const QString& status);

  KernelConnection* m_connection;  // Not owned.
  TraceModel* m_model;             // Child of this.
  QString m_vhv;
  int m_vm = 0;
  QJsonArray m_cursor;  // Per vCPU; empty: the newest kLimit records.
  bool m_following = true;
  bool m_in_flight = false;
  quint64 m_generation = 0;  // Replies for an earlier set_vm() are dropped.
  QString m_status;
  QTimer m_poll_timer;
};

}  // namespace nestlab::gui
