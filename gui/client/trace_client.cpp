#include "gui/client/trace_client.h"

namespace nestlab::gui {

TraceClient::TraceClient(KernelConnection* connection, QObject* parent)
    : QObject(parent), m_connection(connection), m_model(new TraceModel(this)) {
  m_poll_timer.setInterval(kPollInterval);
  connect(&m_poll_timer, &QTimer::timeout, this, &TraceClient::refresh);
  connect(m_connection, &KernelConnection::connected, this, &TraceClient::refresh);
}

void TraceClient::set_vm(const QString& vhv_id, int vm) {
  if (vhv_id.isEmpty()) vm = 0;
  if (vhv_id == m_vhv && vm == m_vm) return;
  m_vhv = vhv_id;
  m_vm = vm;
  ++m_generation;
  m_in_flight = false;
  m_cursor = {};
  m_model->clear();
  set_status(vhv_id.isEmpty() ? tr("Select a VHV or VM to see its trace ring.") : tr("Reading…"));
  if (vhv_id.isEmpty() || !m_following) {
    m_poll_timer.stop();
    return;
  }
  m_poll_timer.start();
  refresh();
}

void TraceClient::set_following(bool following) {
  m_following = following;
  if (following && !m_vhv.isEmpty()) {
    m_poll_timer.start();
    refresh();
  } else {
    m_poll_timer.stop();
  }
}

void TraceClient::refresh() {
  if (m_vhv.isEmpty() || m_in_flight || m_connection->state() != KernelConnection::State::Connected)
    return;
  QJsonObject params{{"vhv", m_vhv}, {"vm", m_vm}, {"limit", kLimit}};
  if (!m_cursor.isEmpty()) params.insert("cursor", m_cursor);
  m_in_flight = true;
  const quint64 generation = m_generation;
  m_connection->call(
      QStringLiteral("vm.trace"), params, this, [this, generation](const RpcReply& reply) {
        if (generation != m_generation) return;
        m_in_flight = false;
        if (!reply.ok()) {
          // A VHV or VM that is not running has no ring to read; keep what we
          // showed.
          set_status(reply.error->data_code == QLatin1String("unavailable")
                         ? tr("No running guest: %1").arg(reply.error->message)
                         : describe(*reply.error));
          return;
        }
        const QJsonObject result = reply.result.toObject();
        m_cursor = result.value("cursor").toArray();
        m_model->append(result.value("entries").toArray(), result.value("lost").toInteger());
        QString status = tr("%n record(s)", nullptr, m_model->rowCount());
        if (m_model->lost() > 0) status += tr(", %1 overwritten before read").arg(m_model->lost());
        set_status(status);
      });
}

void TraceClient::set_status(const QString& status) {
  if (status == m_status) return;
  m_status = status;
  emit statusChanged(status);
}

}  // namespace nestlab::gui
