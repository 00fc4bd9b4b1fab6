// The placeholders of lab.toml (`{nonce}`, `{pl011}`, `{mem_mib}`, `{uuid}`
// in append, pattern, input, value and mark), the escapes of a send step's
// input, and the fresh random values a grade uses (docs/labs.md).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab::lab {

// The values of one run. The platform facts (pl011, mem_mib) are the ones
// announced in the guest's device tree; uuid is known once the VM runs.
struct Placeholders {
  std::string nonce;    // 16 hex digits
  std::string pl011;    // the PL011's address, lower-case hex without 0x ("9000000")
  std::string mem_mib;  // guest RAM in MiB, decimal ("64")
  std::string uuid;     // the VM's UUID as `vm.stats` shows it; empty before the run
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
