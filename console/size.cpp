#include "console/size.h"

#include <cctype>

namespace nestlab::cli {

namespace {

Err<Error> bad_size(std::string_view text) {
  return make_error(ErrorCode::InvalidArgument,
                    "invalid size '" + std::string(text) +
                        "' (use e.g. 256M, 1G, 512K, 4096B, or a plain number of MiB)");
}

}  // namespace

HostResult<uint64_t> parse_size(std::string_view text) {
  size_t i = 0;
  // Integer and optional fraction, kept exact as mantissa / 10^decimals.
  unsigned __int128 mantissa = 0;
  uint64_t divisor = 1;
  bool digits = false, dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    digits = true;
    mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
    if (dot) divisor *= 10;
    if (mantissa > (static_cast<unsigned __int128>(1) << 80) || divisor > 1000000000000ULL)
      return bad_size(text);
  }
  if (!digits) return bad_size(text);

  std::string suffix;
  for (; i < text.size(); ++i)
    suffix += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
  unsigned shift;
  if (suffix.empty())
    shift = 20;
  else if (suffix == "B")
    shift = 0;
  else {
    const std::string units = "KMGT";
    size_t u = units.find(suffix[0]);
    std::string rest = suffix.substr(1);
    if (u == std::string::npos || !(rest.empty() || rest == "B" || rest == "IB"))
      return bad_size(text);
    shift = 10 * static_cast<unsigned>(u + 1);
  }

  unsigned __int128 scaled = mantissa << shift;
  if (scaled % divisor != 0) return bad_size(text);  // Not a whole number of bytes.
  scaled /= divisor;
  if (scaled == 0 || scaled > UINT64_MAX / 2) return bad_size(text);
  return static_cast<uint64_t>(scaled);
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "K", "M", "G", "T"};
  int unit = 0;
  while (unit < 4 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  // "1536M" reads better as "1.5G".
  if (unit >= 1 && unit < 4 && bytes >= 1024 && bytes % 512 == 0)
    return std::to_string(bytes / 1024) + ".5" + kUnits[unit + 1];
  return std::to_string(bytes) + kUnits[unit];
}

}  // namespace nestlab::cli
