#include "gui/client/rpc_reply.h"

namespace nestlab::gui {

QString describe(const RpcError& error) {
  if (error.data_code.isEmpty() || error.message.contains(error.data_code)) return error.message;
  return QStringLiteral("%1 (%2)").arg(error.message, error.data_code);
}

RpcError connection_lost_error(const QString& why) {
  return RpcError{-32000, QStringLiteral("unavailable"), why};
}

}  // namespace nestlab::gui
