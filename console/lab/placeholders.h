// The placeholders of lab.toml (`{nonce}` in append, pattern, input and
// value), the escapes of a send step's input, and the fresh random values a
// grade uses (docs/labs.md).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab::lab {

// The values of one run.
struct Placeholders {
  std::string nonce;  // 16 hex digits
};

// Fails on `{word}` where word is not a known placeholder, so a typo such as
// `{nonse}` is caught when the lab is read, not when a student is graded.
// Braces around anything else ("{3}", "{ }") are plain text.
HostResult<void> check_placeholder_names(std::string_view text);

std::string expand_placeholders(std::string_view text, const Placeholders& values);

// `\r`, `\n`, `\t`, `\\`, `\e` (ESC) and `\xHH`; any other backslash is an error.
HostResult<std::string> decode_escapes(std::string_view text);

// `digits` lower-case hex digits from the kernel's random source.
std::string fresh_hex(size_t digits);

}  // namespace nestlab::lab
