// The kernel's event stream: subscribes to all events of the caller's VHVs
// (events.subscribe) on every (re)connection and appends them to the
// EventLogModel, together with notes about the connection itself.
#pragma once

#include <QObject>

#include "gui/client/kernel_connection.h"
#include "gui/models/event_log_model.h"

namespace nestlab::gui {

class EventClient : public QObject {
  Q_OBJECT

 public:
  explicit EventClient(KernelConnection* connection, QObject* parent = nullptr);

  EventLogModel* model() const { return m_model; }

 public slots:
  // Our own notes (action results), shown among the kernel's events.
  void note(const QString& text) { m_model->append_note(text); }

 private:
  KernelConnection* m_connection;  // Not owned.
  EventLogModel* m_model;          // Child of this.
  QString m_last_disconnect_reason;
};

}  // namespace nestlab::gui
