// Type-checked reads from JSON the kernel sent. nlohmann::json throws on a
// type mismatch; these never do, so a peer that sends odd JSON gets a
// fallback value rather than an exception crossing into the CLI or GUI.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nestlab::client {

using nlohmann::json;

inline const json* json_field(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

inline std::string json_string(const json& j, std::string_view key, std::string fallback = {}) {
  const json* v = json_field(j, key);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}

inline int64_t json_int(const json& j, std::string_view key, int64_t fallback = 0) {
  const json* v = json_field(j, key);
  if (v && v->is_number_integer()) return v->get<int64_t>();
  if (v && v->is_number_unsigned()) return static_cast<int64_t>(v->get<uint64_t>());
  return fallback;
}

inline bool json_has_int(const json& j, std::string_view key) {
  const json* v = json_field(j, key);
  return v && (v->is_number_integer() || v->is_number_unsigned());
}

inline json json_object(const json& j, std::string_view key) {
  const json* v = json_field(j, key);
  return v && v->is_object() ? *v : json::object();
}

// Serialises without throwing on bytes that are not UTF-8 (guest output can
// be anything); bad sequences become U+FFFD.
inline std::string json_dump(const json& j, int indent = -1) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace nestlab::client
