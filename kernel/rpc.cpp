#include "kernel/rpc.h"

#include "kernel/json_bounds.h"

namespace nestlab::kernel {
namespace {

// Replies echo the id, so a long one would make every answer long.
constexpr size_t kMaxIdBytes = 256;

bool valid_id(const json& id) {
  return id.is_null() || id.is_number() ||
         (id.is_string() && id.get_ref<const std::string&>().size() <= kMaxIdBytes);
}

// Short description of a JSON value's type for error messages.
const char* type_name(const json& j) { return j.type_name(); }

}  // namespace

std::variant<Request, RpcError> parse_request(const std::string& line) {
  BoundedJson parsed = parse_bounded_json(line);
  if (parsed.too_deep)
    return RpcError{kInvalidRequest, "request " + parsed.error, std::nullopt, nullptr};
  if (!parsed.value) return RpcError{kParseError, parsed.error, std::nullopt, nullptr};
  json& j = *parsed.value;
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
      return RpcError{kInvalidRequest,
                      "\"id\" must be a number, null or a string of at most " +
                          std::to_string(kMaxIdBytes) + " bytes",
                      std::nullopt, nullptr};
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
    r.params = std::move(*params);
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
