// Memory sizes as QEMU's -m writes them: "256M", "1G", "512K", "1.5G", a
// number with suffix B for bytes, and a plain number meaning MiB.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace nestlab::cli {

// Suffixes K, M, G, T (any case, optionally followed by "B" or "iB") are
// powers of 1024; "B" means bytes; no suffix means MiB. The result must be a
// whole, non-zero number of bytes.
HostResult<uint64_t> parse_size(std::string_view text);

// The shortest exact form: "128M", "1G", "100B", "1.5G" for halves; a size
// that is no whole multiple stays in the largest unit that divides it.
std::string format_size(uint64_t bytes);

}  // namespace nestlab::cli
