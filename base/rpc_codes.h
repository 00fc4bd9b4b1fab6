// JSON-RPC 2.0 error codes (section 5.1) as the client API uses them; the
// kind of an application error (-32000) travels by name in data.code
// (base/error.h, error_code_name).
#pragma once

namespace nestlab::rpc {

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kApplicationError = -32000;

}  // namespace nestlab::rpc
