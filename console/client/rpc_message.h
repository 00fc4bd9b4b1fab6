// JSON-RPC 2.0 messages of the client API (docs/protocols.md section 1):
// building requests and sorting what the kernel sends into responses and
// notifications.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace nestlab::client {

using nlohmann::json;

struct Notification {
  std::string method;  // "console" or "event"
  json params;
};

struct Response {
  // -1 when the kernel could not tell which request it answers (id null,
  // e.g. a parse error).
  int64_t id = -1;
  bool ok = false;
  json result;  // When ok.
  Error error;  // When !ok.
};

using Incoming = std::variant<Response, Notification>;

// One request line including its '\n'.
std::string make_request_line(int64_t id, std::string_view method, const json& params);

// Parses one line from the kernel.
HostResult<Incoming> parse_incoming(std::string_view line);

// Maps a JSON-RPC error object to an Error: application errors (-32000) by
// their data.code, the standard codes by meaning.
Error error_from_rpc(const json& error);

}  // namespace nestlab::client
