#include "console/lab/marker.h"

#include <cinttypes>
#include <cstdio>

#include "labs/common/siphash.h"

namespace nestlab::lab {

namespace {

constexpr std::string_view kPrefix = "@@mark ";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

bool valid_marker_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (c <= ' ' || c > '~') return false;  // one word of printable ASCII
  return true;
}

std::string marker_mac(const std::string& secret_hex, std::string_view name) {
  SipKey key{};
  if (!sip_key_from_hex(secret_hex.c_str(), key)) return "";
  uint64_t mac = siphash24(key, reinterpret_cast<const uint8_t*>(name.data()), name.size());
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, mac);
  return text;
}

MarkerCheck check_marker(std::string_view console, std::string_view name,
                         const std::string& secret_hex) {
  const std::string want = marker_mac(secret_hex, name);
  MarkerCheck result;
  size_t start = 0;
  for (size_t nl; (nl = console.find('\n', start)) != std::string_view::npos; start = nl + 1) {
    std::string_view line = console.substr(start, nl - start);
    // The marker may follow other text on the line (output without a final
    // newline before lab::mark); the MAC is what makes it count.
    size_t at = line.find(kPrefix);
    if (at == std::string_view::npos) continue;
    std::string_view rest = trim(line.substr(at + kPrefix.size()));
    size_t space = rest.find(' ');
    if (space == std::string_view::npos || rest.substr(0, space) != name) continue;
    std::string_view mac = trim(rest.substr(space + 1));
    if (!want.empty() && mac == want)
      return MarkerCheck{MarkerVerdict::Valid, std::string(trim(line))};
    result = MarkerCheck{MarkerVerdict::WrongMac, std::string(trim(line))};
  }
  return result;
}

}  // namespace nestlab::lab
