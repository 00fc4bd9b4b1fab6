#include "console/lab/placeholders.h"

#include <sys/random.h>

#include <cerrno>
#include <optional>
#include <stdexcept>

namespace nestlab::lab {

namespace {

constexpr std::string_view kKnown[] = {"nonce", "pl011", "mem_mib", "uuid"};

const std::string* value_of(std::string_view name, const Placeholders& values) {
  if (name == "nonce") return &values.nonce;
  if (name == "pl011") return &values.pl011;
  if (name == "mem_mib") return &values.mem_mib;
  if (name == "uuid") return &values.uuid;
  return nullptr;
}

// The name of the placeholder starting at text[i] == '{', if it has the form
// of one ({ then a letter, then [a-z0-9_]*, then }); a regex's "{3}" or
// "{2,4}" does not.
std::optional<std::string_view> placeholder_at(std::string_view text, size_t i) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  size_t j = i + 1;
  if (j >= text.size() || !letter(text[j])) return std::nullopt;
  while (j < text.size() && (letter(text[j]) || (text[j] >= '0' && text[j] <= '9'))) ++j;
  if (j >= text.size() || text[j] != '}') return std::nullopt;
  return text.substr(i + 1, j - i - 1);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

HostResult<void> check_placeholder_names(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    auto name = placeholder_at(text, i);
    if (!name) continue;
    bool known = false;
    for (auto k : kKnown) known = known || *name == k;
    if (!known)
      return make_error(ErrorCode::InvalidArgument,
                        "unknown placeholder {" + std::string(*name) +
                            "} (known: {nonce}, {pl011}, {mem_mib}, {uuid})");
  }
  return {};
}

std::string expand_placeholders(std::string_view text, const Placeholders& values) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      auto name = placeholder_at(text, i);
      if (const std::string* value = name ? value_of(*name, values) : nullptr) {
        out += *value;
        i += name->size() + 1;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

HostResult<std::string> decode_escapes(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 >= text.size())
      return make_error(ErrorCode::InvalidArgument, "a lone backslash ends the text (write \\\\)");
    char c = text[++i];
    switch (c) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'e': out += '\x1b'; break;
      case '\\': out += '\\'; break;
      case 'x': {
        int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
        int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
        if (hi < 0 || lo < 0)
          return make_error(ErrorCode::InvalidArgument, "\\x needs two hex digits");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        break;
      }
      default:
        return make_error(ErrorCode::InvalidArgument, std::string("unknown escape \\") + c +
                                                          " (known: \\r \\n \\t \\e \\\\ \\xHH)");
    }
  }
  return out;
}

std::string fresh_hex(size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string bytes((digits + 1) / 2, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    // getrandom only fails on kernels older than 3.17, which nestlab does not
    // run on; a predictable secret would make markers forgeable, so stop.
    if (n <= 0) throw std::runtime_error("getrandom failed: no random source for the lab secret");
    got += static_cast<size_t>(n);
  }
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out.resize(digits);
  return out;
}

}  // namespace nestlab::lab
