// Human-readable renderings of VhvInfo (docs/protocols.md section 1) for
// `nestlab vhv list` and `nestlab vhv inspect`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace nestlab::cli {

// Table with columns ID NAME STATE OWNER MEM PID, one row per VhvInfo.
std::string format_vhv_table(const nlohmann::json& vhvs);

// "key: value" lines, keys aligned; nested vm and counters indented.
std::string format_vhv_details(const nlohmann::json& info);

// A user name for a uid, or the number when it has none.
std::string owner_name(int64_t uid);

}  // namespace nestlab::cli
