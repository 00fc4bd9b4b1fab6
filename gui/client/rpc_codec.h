// JSON-RPC 2.0 framing of the client API: one JSON object per line
// (docs/protocols.md, section 1). Pure functions, so they test without a
// kernel.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <variant>

#include "gui/client/rpc_reply.h"

namespace nestlab::gui {

struct IncomingReply {
  qint64 id = -1;  // -1 when the kernel could not tell (id null after a parse error).
  RpcReply reply;
};

struct IncomingNotification {
  QString method;  // "event" or "console"
  QJsonObject params;
};

struct MalformedLine {
  QString why;
};

using Incoming = std::variant<IncomingReply, IncomingNotification, MalformedLine>;

// One request line, '\n' included.
QByteArray make_request_line(qint64 id, const QString& method, const QJsonObject& params);

// Sorts one line (without its '\n') from the kernel.
Incoming parse_incoming(const QByteArray& line);

}  // namespace nestlab::gui
