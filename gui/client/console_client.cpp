#include "gui/client/console_client.h"

namespace nestlab::gui {

ConsoleClient::ConsoleClient(KernelConnection* connection, QObject* parent, int max_lines)
    : QObject(parent), m_connection(connection), m_max_lines(max_lines) {
  connect(m_connection, &KernelConnection::connected, this, [this] {
    for (auto it = m_models.begin(); it != m_models.end(); ++it) {
      it.value()->clear();  // The replay brings the history back.
      subscribe(it.key());
    }
  });
  connect(m_connection, &KernelConnection::disconnected, this, [this] { m_subscribed.clear(); });
  connect(m_connection, &KernelConnection::notification, this,
          [this](const QString& method, const QJsonObject& params) {
            if (method != QLatin1String("console")) return;
            TerminalModel* model = m_models.value(params.value("vhv").toString());
            if (!model || params.value("vm").toInt() != 0) return;
            model->feed(QByteArray::fromBase64(params.value("data").toString().toLatin1()));
          });
}

TerminalModel* ConsoleClient::model_for(const QString& vhv_id) {
  if (vhv_id.isEmpty()) return nullptr;
  TerminalModel*& model = m_models[vhv_id];
  if (!model) model = new TerminalModel(this, m_max_lines);
  subscribe(vhv_id);
  return model;
}

void ConsoleClient::subscribe(const QString& vhv_id) {
  if (m_connection->state() != KernelConnection::State::Connected || m_subscribed.contains(vhv_id))
    return;
  m_subscribed.insert(vhv_id);
  m_connection->call(
      QStringLiteral("console.subscribe"), {{"vhv", vhv_id}, {"vm", 0}}, this,
      [this, vhv_id](const RpcReply& reply) {
        if (reply.ok()) return;
        m_subscribed.remove(vhv_id);
        if (TerminalModel* model = m_models.value(vhv_id))
          model->feed(QStringLiteral("\r\n[nestlab-gui: console.subscribe failed: %1]\r\n")
                          .arg(describe(*reply.error))
                          .toUtf8());
      });
}

void ConsoleClient::forget(const QString& vhv_id) {
  m_subscribed.remove(vhv_id);
  if (TerminalModel* model = m_models.take(vhv_id)) model->deleteLater();
}

}  // namespace nestlab::gui
