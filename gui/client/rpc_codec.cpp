#include "gui/client/rpc_codec.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace nestlab::gui {

QByteArray make_request_line(qint64 id, const QString& method, const QJsonObject& params) {
  QJsonObject request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.isEmpty()) request.insert("params", params);
  QByteArray line = QJsonDocument(request).toJson(QJsonDocument::Compact);
  line.append('\n');
  return line;
}

Incoming parse_incoming(const QByteArray& line) {
  QJsonParseError parse_error{};
  const QJsonDocument doc = QJsonDocument::fromJson(line, &parse_error);
  if (parse_error.error != QJsonParseError::NoError)
    return MalformedLine{QStringLiteral("not JSON: %1").arg(parse_error.errorString())};
  if (!doc.isObject()) return MalformedLine{QStringLiteral("not a JSON object")};
  const QJsonObject object = doc.object();

  if (object.contains("method") && !object.contains("id")) {
    const QJsonValue method = object.value("method");
    if (!method.isString())
      return MalformedLine{QStringLiteral("notification without a method name")};
    return IncomingNotification{method.toString(), object.value("params").toObject()};
  }

  IncomingReply incoming;
  const QJsonValue id = object.value("id");
  if (id.isDouble())
    incoming.id = id.toInteger(-1);
  else if (!id.isNull())
    return MalformedLine{QStringLiteral("reply whose id is not a number")};

  if (object.contains("error")) {
    const QJsonObject error = object.value("error").toObject();
    const QJsonValue data = error.value("data");
    QString data_code = data.isObject() ? data.toObject().value("code").toString() : QString();
    incoming.reply.error =
        RpcError{error.value("code").toInt(), data_code, error.value("message").toString()};
  } else if (object.contains("result")) {
    incoming.reply.result = object.value("result");
  } else {
    return MalformedLine{QStringLiteral("reply with neither result nor error")};
  }
  return incoming;
}

}  // namespace nestlab::gui
