#include "console/command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace nestlab::cli {

int usage_error(std::string_view name, std::string_view message) {
  std::string text = std::string(name) + ": " + std::string(message) + "\nTry '" +
                     std::string(name) + " --help'.\n";
  write_all(2, text);
  return 2;
}

int fail(std::string_view name, std::string_view message, int status) {
  write_all(2, std::string(name) + ": " + std::string(message) + "\n");
  return status;
}

std::optional<ParsedArgs> parse_or_report(const Invocation& inv,
                                          std::span<const OptionSpec> options, int& status) {
  auto parsed = parse_args(inv.args, options);
  if (parsed.is_error()) {
    status = usage_error(inv.name, parsed.error().message);
    return std::nullopt;
  }
  return parsed.release_value();
}

bool wants_json(const Invocation& inv, const ParsedArgs& args) { return inv.json || args.json(); }

HostResult<std::unique_ptr<client::Client>> connect(const Invocation& inv, const ParsedArgs& args,
                                                    client::AutoStart auto_start) {
  client::ConnectOptions o;
  if (auto s = args.value("socket"))
    o.socket_path = *s;
  else if (inv.socket)
    o.socket_path = *inv.socket;
  o.auto_start = auto_start;
  return client::connect_to_kernel(o);
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stdout closed: nothing sensible left to do with the bytes.
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

int dispatch_subcommand(const Invocation& inv, std::span<const Subcommand> subs,
                        const std::string& help, std::string_view known) {
  if (inv.args.empty())
    return usage_error(inv.name, "missing command (" + std::string(known) + ")");
  const std::string& word = inv.args[0];
  if (word == "--help" || word == "-h" || word == "help") {
    write_all(1, help);
    return 0;
  }
  for (const auto& s : subs) {
    if (s.name != word) continue;
    Invocation sub = inv;
    sub.name = inv.name + " " + word;
    sub.args.erase(sub.args.begin());
    return s.fn(sub);
  }
  if (word.starts_with("-"))
    return usage_error(inv.name, "unknown option '" + word + "' (options go after the command)");
  return usage_error(inv.name,
                     "unknown command '" + word + "' (commands: " + std::string(known) + ")");
}

bool handle_help(const ParsedArgs& args, const std::string& usage,
                 std::span<const OptionSpec> options) {
  if (!args.help()) return false;
  write_all(1, usage + "\n" + format_options_help(options));
  return true;
}

}  // namespace nestlab::cli
