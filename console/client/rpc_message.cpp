#include "console/client/rpc_message.h"

#include "base/rpc_codes.h"
#include "console/client/json_get.h"

namespace nestlab::client {

namespace {}  // namespace

std::string make_request_line(int64_t id, std::string_view method, const json& params) {
  json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) req["params"] = params;
  return json_dump(req) + "\n";
}

Error error_from_rpc(const json& error) {
  std::string message =
      json_string(error, "message", "nestlabd reported an error without a message");
  switch (json_int(error, "code", rpc::kApplicationError)) {
    case rpc::kParseError:
    case rpc::kInvalidRequest: return Error{ErrorCode::Protocol, message};
    case rpc::kMethodNotFound:
      return Error{ErrorCode::Unavailable, message + " (is nestlabd older than this nestlab?)"};
    case rpc::kInvalidParams: return Error{ErrorCode::InvalidArgument, message};
    default: break;
  }
  return Error{error_code_from_name(json_string(json_object(error, "data"), "code")), message};
}

HostResult<Incoming> parse_incoming(std::string_view line) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ErrorCode::Protocol, "nestlabd sent a line that is not a JSON object");
  if (json_string(j, "jsonrpc") != "2.0")
    return make_error(ErrorCode::Protocol, "nestlabd sent a message without \"jsonrpc\":\"2.0\"");

  if (const json* method = json_field(j, "method"); method && method->is_string()) {
    const json* params = json_field(j, "params");
    return Incoming{Notification{method->get<std::string>(), params ? *params : json::object()}};
  }

  Response r;
  r.id = json_has_int(j, "id") ? json_int(j, "id") : -1;
  if (const json* result = json_field(j, "result")) {
    r.ok = true;
    r.result = *result;
    return Incoming{std::move(r)};
  }
  if (const json* error = json_field(j, "error"); error && error->is_object()) {
    r.error = error_from_rpc(*error);
    return Incoming{std::move(r)};
  }
  return make_error(ErrorCode::Protocol,
                    "nestlabd sent a message that is neither a response nor a notification");
}

}  // namespace nestlab::client
