// What an expect step looks for in console output: a literal text found
// anywhere after a cursor, or an ECMAScript regular expression (std::regex)
// matched within one line of at most kMaxRegexLine bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab::lab {

// Fails with std::regex's complaint when `pattern` does not compile.
HostResult<void> check_regex(const std::string& pattern);

// Longer lines never match a regex: std::regex recurses per character and
// would overflow the stack on a guest's megabyte-long line. 1 KiB keeps the
// recursion far inside the stack even in the sanitizer build, whose frames
// are several times larger (4 KiB overflowed there).
inline constexpr size_t kMaxRegexLine = 1024;

struct PatternMatch {
  size_t begin = 0;
  size_t end = 0;  // one past the match; the next expect searches from here
};

// The first match in `text` at or after `from`.
std::optional<PatternMatch> find_pattern(std::string_view text, size_t from,
                                         const std::string& pattern, bool regex);

}  // namespace nestlab::lab
