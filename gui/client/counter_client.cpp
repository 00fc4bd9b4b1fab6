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
    ++m_generation;
  });
  connect(m_connection, &KernelConnection::notification, this, &CounterClient::on_notification);
  if (m_connection->state() == KernelConnection::State::Connected) m_poll_timer.start();
}

void CounterClient::set_vm(const QString& vhv_id, int vm) {
  if (vhv_id.isEmpty()) vm = 0;
  if (vhv_id == m_vhv && vm == m_vm) return;
  m_vhv = vhv_id;
  m_vm = vm;
  m_last_stats = {};
  m_model->clear();
  ++m_generation;  // A reply for the old VM is recognised and dropped.
  m_in_flight = false;
  emit vmChanged(m_vhv, m_vm);
  emit statsChanged(m_last_stats);
  refresh();
}

void CounterClient::refresh() {
  if (m_vhv.isEmpty() || m_in_flight) return;
  if (m_connection->state() != KernelConnection::State::Connected) return;
  m_in_flight = true;
  const quint64 generation = m_generation;
  m_connection->call(QStringLiteral("vm.stats"), {{"vhv", m_vhv}, {"vm", m_vm}}, this,
                     [this, generation](const RpcReply& reply) {
                       if (generation != m_generation) return;  // The selection moved on.
                       m_in_flight = false;
                       // Gone, or a VM that never ran (not-found): the list says so.
                       if (!reply.ok()) return;
                       m_last_stats = reply.result.toObject();
                       m_model->set_counters(m_last_stats.value("counters").toObject(),
                                             m_clock.elapsed());
                       emit statsChanged(m_last_stats);
                     });
}

void CounterClient::on_notification(const QString& method, const QJsonObject& params) {
  if (method != QLatin1String("event") || params.value("vhv").toString() != m_vhv) return;
  // Events of a kernel from before issue 13 name no VM: its one VM is 0.
  if (params.value("vm").toInt(0) != m_vm) return;
  const QString type = params.value("type").toString();
  if (type == QLatin1String("vm-started")) {
    m_model->clear();  // A new guest in this slot counts from zero.
  } else if (type == QLatin1String("vm-exit") && params.value("counters").isObject()) {
    m_model->set_counters(params.value("counters").toObject(), m_clock.elapsed());
  }
}

}  // namespace nestlab::gui
