#include "gui/client/console_client.h"

namespace nestlab::gui {

ConsoleClient::ConsoleClient(KernelConnection* connection, QObject* parent, int max_lines)
    : QObject(parent), m_connection(connection), m_max_lines(max_lines) {
  connect(m_connection, &KernelConnection::connected, this, [this] {
    for (auto it = m_models.begin(); it != m_models.end(); ++it) {
      it.value()->clear();  // The replay brings the history back.
      subscribe(it.key());
    }
    for (const QString& vhv_id : QSet<QString>(m_want_writer)) attach_writer(vhv_id, false);
  });
  connect(m_connection, &KernelConnection::disconnected, this, [this] {
    m_subscribed.clear();
    for (const QString& vhv_id : m_writers.keys())
      set_writer(vhv_id, false, tr("Not connected to the kernel."));
  });
  connect(m_connection, &KernelConnection::notification, this,
          [this](const QString& method, const QJsonObject& params) {
            if (method == QLatin1String("console.writer-lost")) {
              const QJsonObject by = params.value("by").toObject();
              const QString vhv_id = params.value("vhv").toString();
              m_want_writer.remove(vhv_id);
              set_writer(vhv_id, false,
                         tr("Read-only: another client (pid %1, uid %2) took the console over.")
                             .arg(by.value("pid").toInteger())
                             .arg(by.value("uid").toInteger()));
              return;
            }
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

void ConsoleClient::set_writer(const QString& vhv_id, bool ours, const QString& message) {
  m_writers[vhv_id] = Writer{ours, message};
  emit writerChanged(vhv_id);
}

void ConsoleClient::attach_writer(const QString& vhv_id, bool force) {
  if (vhv_id.isEmpty()) return;
  if (!force && m_writers.value(vhv_id).ours) return;
  m_want_writer.insert(vhv_id);
  m_connection->call(
      QStringLiteral("console.attach"),
      {{"vhv", vhv_id}, {"vm", 0}, {"mode", "write"}, {"force", force}, {"replay", false}}, this,
      [this, vhv_id](const RpcReply& reply) {
        if (reply.ok()) {
          set_writer(vhv_id, true, QString());
          return;
        }
        m_want_writer.remove(vhv_id);
        const RpcError& error = *reply.error;
        QString message = describe(error);
        if (error.data_code == QLatin1String("permission-denied"))
          message = tr("Read-only: %1").arg(message);
        set_writer(vhv_id, false, message);
      });
}

void ConsoleClient::send_input(const QString& vhv_id, const QByteArray& bytes) {
  for (qsizetype at = 0; at < bytes.size(); at += kMaxInput) {
    const QByteArray chunk = bytes.mid(at, kMaxInput);
    m_connection->call(
        QStringLiteral("console.input"),
        {{"vhv", vhv_id}, {"vm", 0}, {"data", QString::fromLatin1(chunk.toBase64())}}, this,
        [this, vhv_id](const RpcReply& reply) {
          if (reply.ok()) return;
          set_writer(vhv_id, m_writers.value(vhv_id).ours,
                     tr("Input not delivered: %1").arg(describe(*reply.error)));
        });
  }
}

void ConsoleClient::forget(const QString& vhv_id) {
  m_subscribed.remove(vhv_id);
  m_writers.remove(vhv_id);
  m_want_writer.remove(vhv_id);
  if (TerminalModel* model = m_models.take(vhv_id)) model->deleteLater();
}

}  // namespace nestlab::gui
