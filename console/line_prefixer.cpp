#include "console/line_prefixer.h"

namespace nestlab::cli {

std::string LinePrefixer::feed(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    m_partial.push_back(c);
    if (c == '\n') {
      out += m_prefix + m_partial;
      m_partial.clear();
    }
  }
  return out;
}

std::string LinePrefixer::flush() {
  if (m_partial.empty()) return {};
  std::string out = m_prefix + m_partial + "\n";
  m_partial.clear();
  return out;
}

}  // namespace nestlab::cli
