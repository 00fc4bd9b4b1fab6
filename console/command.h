// What every command shares: how it was invoked, how it reports errors
// ("nestlab <cmd>: message" on stderr, usage errors exit 2), and how it
// reaches the kernel.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "console/args.h"
#include "console/client/client.h"
#include "console/client/connect.h"

namespace nestlab::cli {

struct Invocation {
  std::string name;                   // "nestlab vhv list": prefix of every message.
  std::vector<std::string> args;      // Words after the command name.
  bool json = false;                  // --json given before the command.
  std::optional<std::string> socket;  // --socket given before the command.
};

using CommandFn = int (*)(const Invocation&);

// "nestlab run: message" + a hint to --help, on stderr; returns 2.
int usage_error(std::string_view name, std::string_view message);

// "nestlab run: message" on stderr; returns `status`.
int fail(std::string_view name, std::string_view message, int status);

// Parses a command's words; on a usage error prints it and sets `status`.
std::optional<ParsedArgs> parse_or_report(const Invocation& inv,
                                          std::span<const OptionSpec> options, int& status);

// A command made of subcommands (`nestlab vhv list`): one entry per word.
struct Subcommand {
  std::string_view name;
  CommandFn fn;
};

// Runs the subcommand named by inv.args[0] with the words after it, prints
// `help` for --help/-h/help, and reports a missing or unknown word (naming
// `known`, e.g. "list, inspect, rm") as a usage error.
int dispatch_subcommand(const Invocation& inv, std::span<const Subcommand> subs,
                        const std::string& help, std::string_view known);

// --json before or after the command.
bool wants_json(const Invocation& inv, const ParsedArgs& args);

HostResult<std::unique_ptr<client::Client>> connect(
    const Invocation& inv, const ParsedArgs& args,
    client::AutoStart auto_start = client::AutoStart::Yes);

// Prints a subcommand's usage and options when --help was given; true if it
// did (the subcommand then returns 0).
bool handle_help(const ParsedArgs& args, const std::string& usage,
                 std::span<const OptionSpec> options);

// Writes all bytes to an fd (stdout's output is raw, not via iostreams, so
// guest bytes go out in the order and at the moment they arrive).
void write_all(int fd, std::string_view bytes);

}  // namespace nestlab::cli
