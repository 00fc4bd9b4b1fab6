// JSON from outside the kernel (client requests, highvisor lines), parsed
// and quoted without ever recursing over its structure. nlohmann's parser
// does not recurse, but copying, comparing and dumping a value do, so a line
// of 500,000 nested brackets (1 MB) would overflow the stack of whoever next
// touched it. A scan before parsing refuses anything nested deeper than a
// fixed bound, and error messages quote client data only through the
// previews below, which look at one level and a bounded number of bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kernel/limits.h"

namespace nestlab::kernel {

struct BoundedJson {
  std::optional<nlohmann::json> value;  // set when the text parsed
  bool too_deep = false;                // refused by the depth scan, not parsed
  std::string error;                    // why not, at most a few hundred bytes
};

// The deepest nesting of arrays and objects in `text`, as the parser would
// see it; the scan stops and returns limit + 1 as soon as it goes past
// `limit`. Brackets inside strings do not count.
size_t json_depth(std::string_view text, size_t limit);

BoundedJson parse_bounded_json(std::string_view text, size_t max_depth = kMaxJsonDepth);

// "an array of 3 items", "an object of 2 keys", "\"abc…\" (70000 bytes)",
// "12": for error messages. Never recurses; at most about max + 30 bytes.
std::string json_preview(const nlohmann::json& j, size_t max = 40);
// A non-negative integer. Parsed JSON holds those as unsigned, JSON built
// in code as signed; both count.
inline bool is_count(const nlohmann::json& j) {
  return j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0);
}

// A string as an error message quotes it: whole when short, else its start
// and its length.
std::string text_preview(std::string_view s, size_t max = 64);

}  // namespace nestlab::kernel
