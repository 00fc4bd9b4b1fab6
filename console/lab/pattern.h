// What an expect step looks for in console output: a literal text or an
// ECMAScript regular expression (std::regex), found anywhere after a cursor.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab::lab {

// Fails with std::regex's complaint when `pattern` does not compile.
HostResult<void> check_regex(const std::string& pattern);

struct PatternMatch {
  size_t begin = 0;
  size_t end = 0;  // one past the match; the next expect searches from here
};

// The first match in `text` at or after `from`.
std::optional<PatternMatch> find_pattern(std::string_view text, size_t from,
                                         const std::string& pattern, bool regex);

}  // namespace nestlab::lab
