#include "kernel/json_bounds.h"

namespace nestlab::kernel {

using nlohmann::json;

namespace {

constexpr size_t kMaxErrorText = 240;

}  // namespace

size_t json_depth(std::string_view text, size_t limit) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      // The parser ends a string at the first unescaped quote, whatever is
      // inside; an escape covers exactly the next byte.
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > limit) return limit + 1;
        break;
      case ']':
      case '}':
        // More closers than openers is a syntax error the parser reports;
        // it cannot make anything deeper.
        if (depth) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

BoundedJson parse_bounded_json(std::string_view text, size_t max_depth) {
  BoundedJson out;
  if (json_depth(text, max_depth) > max_depth) {
    out.too_deep = true;
    out.error = "nested deeper than " + std::to_string(max_depth) + " levels of arrays and objects";
    return out;
  }
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) {
    out.value = std::move(j);
    return out;
  }
  // Parse again with exceptions for the position and the reason; the
  // exception stays inside this function. Its text quotes the token it
  // stopped in, which may be most of the line: keep the start.
  out.error = "not valid JSON";
  try {
    json ignored = json::parse(text);
  } catch (const json::exception& e) {
    out.error = std::string("not valid JSON: ") + e.what();
    if (out.error.size() > kMaxErrorText) out.error = out.error.substr(0, kMaxErrorText) + "…";
  }
  return out;
}

std::string text_preview(std::string_view s, size_t max) {
  if (s.size() <= max) return "\"" + std::string(s) + "\"";
  return "\"" + std::string(s.substr(0, max)) + "…\" (" + std::to_string(s.size()) + " bytes)";
}

std::string json_preview(const json& j, size_t max) {
  switch (j.type()) {
    case json::value_t::array:
      return "an array of " + std::to_string(j.size()) + (j.size() == 1 ? " item" : " items");
    case json::value_t::object:
      return "an object of " + std::to_string(j.size()) + (j.size() == 1 ? " key" : " keys");
    case json::value_t::string: return text_preview(j.get_ref<const std::string&>(), max);
    case json::value_t::binary: return "binary data";
    case json::value_t::discarded: return "nothing";
    default: return j.dump();  // null, booleans and numbers: a few bytes
  }
}

}  // namespace nestlab::kernel
