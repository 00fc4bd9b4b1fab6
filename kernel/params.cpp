#include "kernel/params.h"

#include <cstring>

#include "kernel/json_bounds.h"

namespace nestlab::kernel {
namespace {

Err<Error> bad(const char* name, const std::string& what) {
  return nestlab::make_error(ErrorCode::Protocol,
                             std::string("parameter \"") + name + "\" " + what);
}

}  // namespace

Params::Params(const nlohmann::json& params, std::initializer_list<const char*> known)
    : m_params(params), m_known(known) {}

HostResult<void> Params::check_unknown() const {
  for (const auto& [key, _] : m_params.items()) {
    bool ok = false;
    for (const char* k : m_known) ok |= key == k;
    if (ok) continue;
    std::string list;
    for (const char* k : m_known) list += (list.empty() ? "" : ", ") + std::string(k);
    return nestlab::make_error(ErrorCode::Protocol, "unknown parameter " + text_preview(key) +
                                                        (list.empty() ? " (this method takes none)"
                                                                      : " (known: " + list + ")"));
  }
  return {};
}

HostResult<std::string> Params::string(const char* name) const {
  auto v = TRY(optional_string(name));
  if (!v) return bad(name, "is required");
  return *v;
}

HostResult<std::optional<std::string>> Params::optional_string(const char* name) const {
  auto it = m_params.find(name);
  if (it == m_params.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return bad(name, std::string("must be a string, got ") + it->type_name());
  return std::optional<std::string>{it->get<std::string>()};
}

HostResult<std::optional<uint64_t>> Params::optional_uint(const char* name, uint64_t min,
                                                          uint64_t max) const {
  auto it = m_params.find(name);
  if (it == m_params.end() || it->is_null()) return std::optional<uint64_t>{};
  // Parsed JSON holds non-negative integers as unsigned, but a json built in
  // code may hold them as signed; accept both, refuse negatives and floats.
  bool ok = it->is_number_unsigned() || (it->is_number_integer() && it->get<int64_t>() >= 0);
  if (!ok)
    return bad(name, std::string("must be a non-negative integer, got ") + json_preview(*it));
  uint64_t v = it->get<uint64_t>();
  if (v < min || v > max)
    return bad(name, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                         ", got " + std::to_string(v));
  return std::optional<uint64_t>{v};
}

HostResult<std::optional<bool>> Params::optional_bool(const char* name) const {
  auto it = m_params.find(name);
  if (it == m_params.end() || it->is_null()) return std::optional<bool>{};
  if (!it->is_boolean())
    return bad(name, std::string("must be true or false, got ") + json_preview(*it));
  return std::optional<bool>{it->get<bool>()};
}

}  // namespace nestlab::kernel
