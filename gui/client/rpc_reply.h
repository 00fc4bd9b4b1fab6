// What a JSON-RPC call to the kernel came back with (docs/protocols.md,
// section 1): a result, or an error with the kernel's message.
#pragma once

#include <QJsonValue>
#include <QString>

#include <optional>

namespace nestlab::gui {

struct RpcError {
  // JSON-RPC code: -32700..-32600 for protocol errors, -32000 for application
  // errors, whose kind is in data_code ("not-found", "unavailable", ...).
  int code = 0;
  QString data_code;
  QString message;
};

struct RpcReply {
  bool ok() const { return !error.has_value(); }
  QJsonValue result;
  std::optional<RpcError> error;
};

// The kernel's message, prefixed by the error kind when it adds something.
QString describe(const RpcError& error);

// The error delivered to calls that were pending when the connection went
// away, or that were made while there was none.
RpcError connection_lost_error(const QString& why);

}  // namespace nestlab::gui
