// Everything the GUI knows about one kernel: the connection and one client
// per resource, all children of the session. Views get the clients' models
// and call the clients' actions; nothing else reaches the socket.
#pragma once

#include <QObject>

#include "gui/client/console_client.h"
#include "gui/client/counter_client.h"
#include "gui/client/event_client.h"
#include "gui/client/kernel_connection.h"
#include "gui/client/lab_client.h"
#include "gui/client/places.h"
#include "gui/client/trace_client.h"
#include "gui/client/vhv_client.h"

namespace nestlab::gui {

class Session : public QObject {
  Q_OBJECT

 public:
  explicit Session(const QString& socket_path, QObject* parent = nullptr)
      : QObject(parent),
        m_connection(new KernelConnection(socket_path, this)),
        m_vhvs(new VhvClient(m_connection, this)),
        m_counters(new CounterClient(m_connection, this)),
        m_events(new EventClient(m_connection, this)),
        m_consoles(new ConsoleClient(m_connection, this)),
        m_traces(new TraceClient(m_connection, this)),
        m_labs(new LabClient(cli_path(), socket_path, this)) {
    connect(m_vhvs, &VhvClient::vhvRemoved, m_consoles, &ConsoleClient::forget);
  }

  KernelConnection* connection() const { return m_connection; }
  VhvClient* vhvs() const { return m_vhvs; }
  CounterClient* counters() const { return m_counters; }
  EventClient* events() const { return m_events; }
  ConsoleClient* consoles() const { return m_consoles; }
  TraceClient* traces() const { return m_traces; }
  // The lab runner: the CLI as a child process, talking to the same kernel.
  LabClient* labs() const { return m_labs; }

 private:
  KernelConnection* m_connection;  // All children of this.
  VhvClient* m_vhvs;
  CounterClient* m_counters;
  EventClient* m_events;
  ConsoleClient* m_consoles;
  TraceClient* m_traces;
  LabClient* m_labs;
};

}  // namespace nestlab::gui
