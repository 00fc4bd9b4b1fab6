#include "gui/tests/fake_kernel.h"

#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>

namespace nestlab::gui::test {

FakeKernel::FakeKernel(QObject* parent) : QObject(parent), m_server(new QLocalServer(this)) {
  m_server->setSocketOptions(QLocalServer::UserAccessOption);
  if (!m_server->listen(m_dir.filePath(QStringLiteral("nestlab.sock"))))
    qWarning("fake kernel: cannot listen: %s", qPrintable(m_server->errorString()));
  connect(m_server, &QLocalServer::newConnection, this, [this] {
    while (QLocalSocket* socket = m_server->nextPendingConnection()) {
      m_clients.append(socket);
      connect(socket, &QLocalSocket::readyRead, this, [this, socket] { on_ready_read(socket); });
      connect(socket, &QLocalSocket::disconnected, this, [this, socket] {
        m_clients.removeAll(socket);
        socket->deleteLater();
      });
    }
  });
  answer(QStringLiteral("kernel.hello"),
         QJsonObject{{"version", "fake"}, {"mode", "session"}, {"pid", 1}, {"uid", 0}});
}

FakeKernel::~FakeKernel() = default;

bool FakeKernel::listening() const { return m_server->isListening(); }

QString FakeKernel::socket_path() const { return m_server->fullServerName(); }

void FakeKernel::respond(const QString& method, Responder responder) {
  m_responders.insert(method, std::move(responder));
}

void FakeKernel::answer(const QString& method, const QJsonValue& result) {
  respond(method, [result](const QJsonObject&) { return result; });
}

void FakeKernel::notify(const QString& method, const QJsonObject& params) {
  const QByteArray line =
      QJsonDocument(QJsonObject{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}})
          .toJson(QJsonDocument::Compact) +
      '\n';
  for (QLocalSocket* socket : m_clients) socket->write(line);
}

QList<QJsonObject> FakeKernel::params_of(const QString& method) const {
  QList<QJsonObject> out;
  for (const Request& r : m_requests)
    if (r.method == method) out.append(r.params);
  return out;
}

void FakeKernel::on_ready_read(QLocalSocket* socket) {
  while (socket->canReadLine()) {
    const QJsonObject request = QJsonDocument::fromJson(socket->readLine()).object();
    const QString method = request.value("method").toString();
    const QJsonObject params = request.value("params").toObject();
    m_requests.append({method, params});
    const auto it = m_responders.constFind(method);
    const QJsonValue result = it == m_responders.constEnd() ? QJsonObject() : (*it)(params);
    QJsonObject reply{{"jsonrpc", "2.0"}, {"id", request.value("id")}};
    if (result.isObject() && result.toObject().contains("error"))
      reply.insert("error", result.toObject().value("error"));
    else
      reply.insert("result", result);
    socket->write(QJsonDocument(reply).toJson(QJsonDocument::Compact) + '\n');
  }
}

}  // namespace nestlab::gui::test
