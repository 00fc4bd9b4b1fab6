// nestlabd's state on disk (DESIGN.md S5: VHVs survive a kernel restart):
// small JSON files written atomically (temporary file, fsync, rename, fsync
// of the directory), each wrapped in an envelope that names its kind, a
// format version and a checksum of the payload:
//
//   {"format":"nestlab-state","kind":"vhv","version":1,
//    "checksum":"fnv1a64:0123456789abcdef","payload":{...}}
//
// A reader gets the payload only if all of that matches; anything else is
// an error whose message says what was wrong (never a crash, never a
// half-read record).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace nestlab::kernel {

inline constexpr int kStateVersion = 1;

HostResult<void> write_state_file(const std::string& path, const std::string& kind,
                                  const nlohmann::json& payload);
HostResult<nlohmann::json> read_state_file(const std::string& path, const std::string& kind);

// FNV-1a, 64 bits, as "fnv1a64:%016x".
std::string state_checksum(const std::string& text);

}  // namespace nestlab::kernel
