// A stand-in for nestlabd in unit tests: a Unix socket that answers
// JSON-RPC requests line by line from canned results, records every request
// and sends notifications when told. No QEMU, no real kernel; what the GUI
// sends (method and params) is what a test asserts on.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QObject>
#include <QTemporaryDir>

#include <functional>

class QLocalServer;
class QLocalSocket;

namespace nestlab::gui::test {

class FakeKernel : public QObject {
  Q_OBJECT

 public:
  struct Request {
    QString method;
    QJsonObject params;
  };
  // A method's result from its params; an object with "error" ({code,
  // message, data?}) is sent as a JSON-RPC error instead.
  using Responder = std::function<QJsonValue(const QJsonObject& params)>;

  explicit FakeKernel(QObject* parent = nullptr);
  ~FakeKernel() override;

  bool listening() const;
  QString socket_path() const;

  // Unanswered methods get {}; kernel.hello answers by itself.
  void respond(const QString& method, Responder responder);
  void answer(const QString& method, const QJsonValue& result);

  // To every connected client.
  void notify(const QString& method, const QJsonObject& params);

  const QList<Request>& requests() const { return m_requests; }
  // The requests for `method`, oldest first.
  QList<QJsonObject> params_of(const QString& method) const;
  void clear_requests() { m_requests.clear(); }

 private:
  void on_ready_read(QLocalSocket* socket);

  QTemporaryDir m_dir;
  QLocalServer* m_server;  // Child of this.
  QList<QLocalSocket*> m_clients;
  QHash<QString, Responder> m_responders;
  QList<Request> m_requests;
};

}  // namespace nestlab::gui::test
