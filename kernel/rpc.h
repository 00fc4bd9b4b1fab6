// JSON-RPC 2.0 framing of the client API (docs/protocols.md section 1): turns
// a line into a request or the error to answer it with, and builds replies.
// Pure functions, no I/O, so every malformed input is unit-tested here.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>

#include "base/error.h"
#include "base/rpc_codes.h"

namespace nestlab::kernel {

using nlohmann::json;

using rpc::kApplicationError;
using rpc::kInternalError;
using rpc::kInvalidParams;
using rpc::kInvalidRequest;
using rpc::kMethodNotFound;
using rpc::kParseError;

struct Request {
  std::string method;
  json params;             // always an object (empty if absent)
  std::optional<json> id;  // absent: a notification, which gets no reply
};

struct RpcError {
  int code;
  std::string message;
  std::optional<std::string> app_code;  // data.code
  json id;                              // null when the id is unknown
};

std::variant<Request, RpcError> parse_request(const std::string& line);

json make_result(const json& id, json result);
json make_error_response(const RpcError& e);
json make_notification(const std::string& method, json params);

// A handler's error as a JSON-RPC error: Protocol (malformed params) is
// -32602, everything else -32000 with data.code from protocols.md.
RpcError to_rpc_error(const Error& e, const json& id);

// Serialises without ever throwing (invalid UTF-8 is replaced).
std::string to_line(const json& j);

}  // namespace nestlab::kernel
