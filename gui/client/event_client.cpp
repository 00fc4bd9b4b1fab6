#include "gui/client/event_client.h"

namespace nestlab::gui {

EventClient::EventClient(KernelConnection* connection, QObject* parent)
    : QObject(parent), m_connection(connection), m_model(new EventLogModel(this)) {
  connect(m_connection, &KernelConnection::connected, this, [this] {
    m_last_disconnect_reason.clear();
    const QJsonObject hello = m_connection->hello();
    m_model->append_note(tr("connected to nestlabd %1 (%2 mode, pid %3) at %4")
                             .arg(hello.value("version").toString(), hello.value("mode").toString())
                             .arg(hello.value("pid").toInteger())
                             .arg(m_connection->socket_path()));
    m_connection->call(QStringLiteral("events.subscribe"), {}, this, [this](const RpcReply& reply) {
      if (!reply.ok())
        m_model->append_note(tr("events.subscribe failed: %1").arg(describe(*reply.error)));
    });
  });
  connect(m_connection, &KernelConnection::disconnected, this, [this](const QString& reason) {
    // The retry repeats the same reason every two seconds; log it once.
    if (reason == m_last_disconnect_reason) return;
    m_last_disconnect_reason = reason;
    m_model->append_note(reason);
  });
  connect(m_connection, &KernelConnection::notification, this,
          [this](const QString& method, const QJsonObject& params) {
            if (method == QLatin1String("event")) m_model->append_event(params);
          });
}

}  // namespace nestlab::gui
