// Typed, checked access to a request's params. Every mistake is a Protocol
// error (-32602) that names the parameter and what was expected, and
// parameters nobody asked for are refused, so a typo ("memory" for "mem")
// does not silently fall back to a default.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace nestlab::kernel {

class Params {
 public:
  Params(const nlohmann::json& params, std::initializer_list<const char*> known);

  HostResult<void> check_unknown() const;
  HostResult<std::string> string(const char* name) const;
  HostResult<std::optional<std::string>> optional_string(const char* name) const;
  HostResult<std::optional<uint64_t>> optional_uint(const char* name, uint64_t min,
                                                    uint64_t max) const;
  HostResult<std::optional<bool>> optional_bool(const char* name) const;

 private:
  const nlohmann::json& m_params;  // Not owned; outlives this view.
  // A copy: an initializer_list's array lives only until the constructor's
  // full-expression ends, and check_unknown() runs later.
  std::vector<const char*> m_known;
};

}  // namespace nestlab::kernel
