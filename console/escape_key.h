// The detach key of `nestlab console` (default Ctrl-], as in telnet and
// `virsh console`): parsing `--escape` and finding it in typed input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nestlab::cli {

inline constexpr char kDefaultEscape = 0x1d;  // Ctrl-]

// "^]", "^A".."^_" (control keys, either case) or a single character;
// std::nullopt if the text is neither.
std::optional<char> parse_escape(std::string_view text);
// "^]" for 0x1d, "x" for 'x'.
std::string describe_escape(char key);

struct SplitInput {
  std::string_view before;  // bytes for the guest
  bool escape = false;      // the escape key came after them
};
SplitInput split_at_escape(std::string_view typed, char key);

}  // namespace nestlab::cli
