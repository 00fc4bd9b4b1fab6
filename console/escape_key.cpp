#include "console/escape_key.h"

namespace nestlab::cli {

std::optional<char> parse_escape(std::string_view text) {
  if (text.size() == 2 && text[0] == '^') {
    char c = text[1];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c >= '@' && c <= '_') return static_cast<char>(c - '@');
    if (c == '?') return static_cast<char>(0x7f);
    return std::nullopt;
  }
  if (text.size() == 1) return text[0];
  return std::nullopt;
}

std::string describe_escape(char key) {
  if (key == 0x7f) return "^?";
  if (static_cast<unsigned char>(key) < 0x20)
    return std::string("^") + static_cast<char>(key + '@');
  return std::string(1, key);
}

SplitInput split_at_escape(std::string_view typed, char key) {
  const size_t at = typed.find(key);
  if (at == std::string_view::npos) return {typed, false};
  return {typed.substr(0, at), true};
}

}  // namespace nestlab::cli
