#include "gui/client/counter_client.h"

namespace nestlab::gui {

CounterClient::CounterClient(KernelConnection* connection, QObject* parent)
    : QObject(parent), m_connection(connection), m_model(new CounterModel(this)) {
  m_clock.start();
  m_poll_timer.setInterval(kPollInterval);
  connect(&m_poll_timer, &QTimer::timeout, this, &CounterClient::refresh);
  connect(m_connection, &KernelConnection::connected, this, [this] {
    m_poll_timer.start();
    refresh();
  });
  connect(m_connection, &KernelConnection::disconnected, this, [this] {
    m_poll_timer.stop();
    m_in_flight = false;
  });
  connect(m_connection, &KernelConnection::notification, this, &CounterClient::on_notification);
  if (m_connection->state() == KernelConnection::State::Connected) m_poll_timer.start();
}

void CounterClient::set_vhv(const QString& vhv_id) {
  if (vhv_id == m_vhv) return;
  m_vhv = vhv_id;
  m_last_info = {};
  m_model->clear();
  emit vhvChanged(m_vhv);
  emit infoChanged(m_last_info);
  m_in_flight = false;  // A reply for the old VHV is recognised and dropped.
  refresh();
}

void CounterClient::refresh() {
  if (m_vhv.isEmpty() || m_in_flight) return;
  if (m_connection->state() != KernelConnection::State::Connected) return;
  m_in_flight = true;
  const QString asked = m_vhv;
  m_connection->call(
      QStringLiteral("vhv.inspect"), {{"vhv", asked}}, this, [this, asked](const RpcReply& reply) {
        if (asked != m_vhv) return;  // The selection moved on.
        m_in_flight = false;
        if (!reply.ok()) return;  // Gone: VhvClient's list will say so.
        m_last_info = reply.result.toObject();
        m_model->set_counters(m_last_info.value("counters").toObject(), m_clock.elapsed());
        emit infoChanged(m_last_info);
      });
}

void CounterClient::on_notification(const QString& method, const QJsonObject& params) {
  if (method != QLatin1String("event") || params.value("vhv").toString() != m_vhv) return;
  const QString type = params.value("type").toString();
  if (type == QLatin1String("vm-started")) {
    m_model->clear();  // A new guest counts from zero.
  } else if (type == QLatin1String("vm-exit") && params.value("counters").isObject()) {
    m_model->set_counters(params.value("counters").toObject(), m_clock.elapsed());
  }
}

}  // namespace nestlab::gui
