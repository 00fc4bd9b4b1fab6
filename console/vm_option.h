// `--vm N`: which VM of a VHV a command means (issue 13). VM ids are the
// VHV's slots, 0 to layout::kMaxVms - 1.
#pragma once

#include <optional>
#include <string>

namespace nestlab::cli {

// The VM id in `text`, or nullopt when it is not one; `error` then says why
// in a line that names the option.
std::optional<int> parse_vm_option(const std::string& text, std::string& error);

// 1..10000 (BootParams::kMaxWeight) for `--weight W`.
std::optional<unsigned> parse_weight_option(const std::string& text, std::string& error);

}  // namespace nestlab::cli
