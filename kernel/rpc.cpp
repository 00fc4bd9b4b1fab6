#include "kernel/rpc.h"

namespace nestlab::kernel {
namespace {

bool valid_id(const json& id) { return id.is_null() || id.is_string() || id.is_number(); }

// Short description of a JSON value's type for error messages.
const char* type_name(const json& j) { return j.type_name(); }

}  // namespace

std::variant<Request, RpcError> parse_request(const std::string& line) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions to get the position and reason; the
    // exception stays inside this function.
    std::string why = "not valid JSON";
    try {
      json ignored = json::parse(line);
    } catch (const json::parse_error& e) {
      why = std::string("not valid JSON: ") + e.what();
    }
    return RpcError{kParseError, why, std::nullopt, nullptr};
  }
  if (j.is_array())
    return RpcError{kInvalidRequest, "batch requests are not supported; send one object per line",
                    std::nullopt, nullptr};
  if (!j.is_object())
    return RpcError{kInvalidRequest,
                    std::string("a request must be a JSON object, got ") + type_name(j),
                    std::nullopt, nullptr};

  json id = nullptr;
  bool has_id = j.contains("id");
  if (has_id) {
    id = j["id"];
    if (!valid_id(id))
      return RpcError{kInvalidRequest, "\"id\" must be a string, a number or null", std::nullopt,
                      nullptr};
  }
  auto version = j.find("jsonrpc");
  if (version == j.end() || *version != "2.0")
    return RpcError{kInvalidRequest, "missing \"jsonrpc\": \"2.0\"", std::nullopt, id};
  auto method = j.find("method");
  if (method == j.end() || !method->is_string())
    return RpcError{kInvalidRequest, "missing \"method\" (a string)", std::nullopt, id};

  Request r;
  r.method = method->get<std::string>();
  if (has_id) r.id = id;
  auto params = j.find("params");
  if (params == j.end() || params->is_null()) {
    r.params = json::object();
  } else if (params->is_object()) {
    r.params = *params;
  } else {
    return RpcError{kInvalidParams,
                    std::string("\"params\" must be an object, got ") + type_name(*params),
                    "invalid-argument", id};
  }
  return r;
}

json make_result(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json make_error_response(const RpcError& e) {
  json err{{"code", e.code}, {"message", e.message}};
  if (e.app_code) err["data"] = json{{"code", *e.app_code}};
  return json{{"jsonrpc", "2.0"}, {"id", e.id}, {"error", std::move(err)}};
}

json make_notification(const std::string& method, json params) {
  return json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

RpcError to_rpc_error(const Error& e, const json& id) {
  switch (e.code) {
    case ErrorCode::Protocol: return {kInvalidParams, e.message, "invalid-argument", id};
    case ErrorCode::AlreadyExists: return {kApplicationError, e.message, "invalid-argument", id};
    default: return {kApplicationError, e.message, error_code_name(e.code), id};
  }
}

std::string to_line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace nestlab::kernel
