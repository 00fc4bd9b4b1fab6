// Turns a guest's console byte stream into whole lines, each starting with
// a label such as "[vhv-1] ", so several guests' output can interleave on
// one terminal line by line without tearing.
#pragma once

#include <string>
#include <string_view>

namespace nestlab::cli {

class LinePrefixer {
 public:
  explicit LinePrefixer(std::string prefix) : m_prefix(std::move(prefix)) {}

  // Returns the complete lines now available, prefixed, each ending in '\n'.
  std::string feed(std::string_view bytes);

  // The unterminated rest as a final line ("" if none).
  std::string flush();

 private:
  std::string m_prefix;
  std::string m_partial;  // Bytes after the last '\n' seen.
};

}  // namespace nestlab::cli
