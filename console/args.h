// A small GNU-style option parser shared by every command: long options
// (`--mem 256M`, `--mem=256M`), short aliases (`-m 256M`), options anywhere
// among the operands, `--` ends options. Every command also accepts --json,
// --help/-h and --socket PATH.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace nestlab::cli {

enum class TakesValue { No, Yes };

struct OptionSpec {
  std::string_view name;  // Long name without dashes: "mem".
  char short_name = 0;    // 'm' for -m, 0 for none.
  TakesValue takes_value = TakesValue::No;
  std::string_view value_name;  // For help: "SIZE".
  std::string_view help;
};

struct ParsedArgs {
  std::map<std::string, std::string> values;  // Options that take a value (last wins).
  // Every value of each option, in command-line order (repeatable options).
  std::map<std::string, std::vector<std::string>> all_values;
  std::set<std::string> flags;  // Options that do not.
  std::vector<std::string> operands;

  bool has(const std::string& name) const { return flags.count(name) || values.count(name); }
  std::optional<std::string> value(const std::string& name) const;
  bool json() const { return has("json"); }
  bool help() const { return has("help"); }
};

// The options every command accepts, appended to each command's own.
std::span<const OptionSpec> common_options();

// Parses `args` (the words after the command name). Errors are usage
// errors naming the bad word: "unknown option '--frob'", "option '--mem'
// needs a value".
HostResult<ParsedArgs> parse_args(std::span<const std::string> args,
                                  std::span<const OptionSpec> options);

// The "Options:" block of a help text, aligned, including the common ones.
std::string format_options_help(std::span<const OptionSpec> options);

}  // namespace nestlab::cli
