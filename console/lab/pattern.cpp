#include "console/lab/pattern.h"

#include <regex>

namespace nestlab::lab {

HostResult<void> check_regex(const std::string& pattern) {
  try {
    std::regex re(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return make_error(ErrorCode::InvalidArgument,
                      "not a valid regular expression: " + std::string(e.what()));
  }
  return {};
}

std::optional<PatternMatch> find_pattern(std::string_view text, size_t from,
                                         const std::string& pattern, bool regex) {
  if (from > text.size()) return std::nullopt;
  if (!regex) {
    size_t at = text.find(pattern, from);
    if (at == std::string_view::npos) return std::nullopt;
    return PatternMatch{at, at + pattern.size()};
  }
  try {
    std::regex re(pattern, std::regex::ECMAScript);
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(text.begin() + static_cast<long>(from), text.end(), m, re))
      return std::nullopt;
    size_t begin = from + static_cast<size_t>(m.position(0));
    return PatternMatch{begin, begin + static_cast<size_t>(m.length(0))};
  } catch (const std::regex_error&) {
    return std::nullopt;  // checked when the lab was read; a complexity blow-up is no match
  }
}

}  // namespace nestlab::lab
