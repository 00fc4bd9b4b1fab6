#include "gui/client/rpc_reply.h"

#include "base/error.h"
#include "base/rpc_codes.h"

namespace nestlab::gui {

QString describe(const RpcError& error) {
  if (error.data_code.isEmpty() || error.message.contains(error.data_code)) return error.message;
  return QStringLiteral("%1 (%2)").arg(error.message, error.data_code);
}

RpcError connection_lost_error(const QString& why) {
  return RpcError{rpc::kApplicationError,
                  QString::fromLatin1(error_code_name(ErrorCode::Unavailable)), why};
}

}  // namespace nestlab::gui
