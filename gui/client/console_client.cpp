#include "gui/client/console_client.h"

namespace nestlab::gui {

ConsoleClient::ConsoleClient(KernelConnection* connection, QObject* parent, int max_lines)
    : QObject(parent), m_connection(connection), m_max_lines(max_lines) {
  connect(m_connection, &KernelConnection::connected, this, [this] {
    for (auto it = m_models.begin(); it != m_models.end(); ++it) {
      it.value()->clear();  // The replay brings the history back.
      subscribe(it.key());
    }
    for (const Key& key : QSet<Key>(m_want_writer)) attach_writer(key.first, key.second, false);
  });
  connect(m_connection, &KernelConnection::disconnected, this, [this] {
    m_subscribed.clear();
    for (const Key& key : m_writers.keys())
      set_writer(key, false, tr("Not connected to the kernel."));
  });
  connect(m_connection, &KernelConnection::notification, this,
          [this](const QString& method, const QJsonObject& params) {
            // A kernel from before issue 13 sends no "vm": its one VM is 0.
            const Key key{params.value("vhv").toString(), params.value("vm").toInt(0)};
            if (method == QLatin1String("console.writer-lost")) {
              const QJsonObject by = params.value("by").toObject();
              m_want_writer.remove(key);
              set_writer(key, false,
                         tr("Read-only: another client (pid %1, uid %2) took the console over.")
                             .arg(by.value("pid").toInteger())
                             .arg(by.value("uid").toInteger()));
              return;
            }
            if (method != QLatin1String("console")) return;
            // The VHV's own log comes as VM -1 and has no model here.
            if (TerminalModel* model = m_models.value(key))
              model->feed(QByteArray::fromBase64(params.value("data").toString().toLatin1()));
          });
}

TerminalModel* ConsoleClient::model_for(const QString& vhv_id, int vm) {
  if (vhv_id.isEmpty() || vm < 0) return nullptr;
  const Key key{vhv_id, vm};
  TerminalModel*& model = m_models[key];
  if (!model) model = new TerminalModel(this, m_max_lines);
  subscribe(key);
  return model;
}

void ConsoleClient::subscribe(const Key& key) {
  if (m_connection->state() != KernelConnection::State::Connected || m_subscribed.contains(key))
    return;
  m_subscribed.insert(key);
  m_connection->call(
      QStringLiteral("console.subscribe"), {{"vhv", key.first}, {"vm", key.second}}, this,
      [this, key](const RpcReply& reply) {
        if (reply.ok()) return;
        m_subscribed.remove(key);
        if (TerminalModel* model = m_models.value(key))
          model->feed(QStringLiteral("\r\n[nestlab-gui: console.subscribe failed: %1]\r\n")
                          .arg(describe(*reply.error))
                          .toUtf8());
      });
}

void ConsoleClient::set_writer(const Key& key, bool ours, const QString& message) {
  m_writers[key] = Writer{ours, message};
  emit writerChanged(key.first, key.second);
}

void ConsoleClient::attach_writer(const QString& vhv_id, int vm, bool force) {
  if (vhv_id.isEmpty() || vm < 0) return;
  const Key key{vhv_id, vm};
  if (!force && m_writers.value(key).ours) return;
  m_want_writer.insert(key);
  m_connection->call(
      QStringLiteral("console.attach"),
      {{"vhv", vhv_id}, {"vm", vm}, {"mode", "write"}, {"force", force}, {"replay", false}}, this,
      [this, key](const RpcReply& reply) {
        if (reply.ok()) {
          set_writer(key, true, QString());
          return;
        }
        m_want_writer.remove(key);
        const RpcError& error = *reply.error;
        QString message = describe(error);
        if (error.data_code == QLatin1String("permission-denied"))
          message = tr("Read-only: %1").arg(message);
        set_writer(key, false, message);
      });
}

void ConsoleClient::send_input(const QString& vhv_id, int vm, const QByteArray& bytes) {
  if (vhv_id.isEmpty() || vm < 0) return;
  const Key key{vhv_id, vm};
  for (qsizetype at = 0; at < bytes.size(); at += kMaxInput) {
    const QByteArray chunk = bytes.mid(at, kMaxInput);
    m_connection->call(
        QStringLiteral("console.input"),
        {{"vhv", vhv_id}, {"vm", vm}, {"data", QString::fromLatin1(chunk.toBase64())}}, this,
        [this, key](const RpcReply& reply) {
          if (reply.ok()) return;
          set_writer(key, m_writers.value(key).ours,
                     tr("Input not delivered: %1").arg(describe(*reply.error)));
        });
  }
}

void ConsoleClient::forget(const QString& vhv_id) {
  const auto of_vhv = [&vhv_id](const Key& key) { return key.first == vhv_id; };
  m_subscribed.removeIf(of_vhv);
  m_want_writer.removeIf(of_vhv);
  m_writers.removeIf([&](const QHash<Key, Writer>::iterator& it) { return of_vhv(it.key()); });
  for (auto it = m_models.begin(); it != m_models.end();) {
    if (of_vhv(it.key())) {
      it.value()->deleteLater();
      it = m_models.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace nestlab::gui
