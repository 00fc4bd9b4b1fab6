#include "console/args.h"

#include <algorithm>

namespace nestlab::cli {

namespace {

constexpr OptionSpec kCommon[] = {
    {"json", 0, TakesValue::No, "", "machine-readable output"},
    {"socket", 0, TakesValue::Yes, "PATH",
     "kernel socket (default: $NESTLAB_SOCKET or the session socket)"},
    {"help", 'h', TakesValue::No, "", "show this help"},
};

const OptionSpec* find_long(std::span<const OptionSpec> own, std::string_view name) {
  for (auto specs : {own, common_options()})
    for (const auto& o : specs)
      if (o.name == name) return &o;
  return nullptr;
}

const OptionSpec* find_short(std::span<const OptionSpec> own, char c) {
  for (auto specs : {own, common_options()})
    for (const auto& o : specs)
      if (o.short_name != 0 && o.short_name == c) return &o;
  return nullptr;
}

Err<Error> usage(std::string message) {
  return make_error(ErrorCode::InvalidArgument, std::move(message));
}

}  // namespace

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::span<const OptionSpec> common_options() { return kCommon; }

HostResult<ParsedArgs> parse_args(std::span<const std::string> args,
                                  std::span<const OptionSpec> options) {
  ParsedArgs parsed;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (options_done || word == "-" || word.empty() || word[0] != '-') {
      parsed.operands.push_back(word);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }

    const OptionSpec* spec = nullptr;
    std::optional<std::string> inline_value;
    std::string shown;  // How the user spelled it, for messages.
    if (word.starts_with("--")) {
      std::string_view body = std::string_view(word).substr(2);
      size_t eq = body.find('=');
      std::string_view name = body.substr(0, eq);
      if (eq != std::string_view::npos) inline_value = std::string(body.substr(eq + 1));
      shown = "--" + std::string(name);
      spec = find_long(options, name);
    } else {
      shown = word.substr(0, 2);
      spec = word.size() >= 2 ? find_short(options, word[1]) : nullptr;
      if (word.size() > 2) inline_value = word.substr(2);  // -m256M
    }
    if (!spec) return usage("unknown option '" + shown + "'");

    std::string name(spec->name);
    if (spec->takes_value == TakesValue::No) {
      if (inline_value) {
        if (word.starts_with("--")) return usage("option '" + shown + "' does not take a value");
        return usage("unknown option '" + word + "'");
      }
      parsed.flags.insert(name);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size())
        return usage("option '" + shown + "' needs a value (" + std::string(spec->value_name) +
                     ")");
      inline_value = args[++i];
    }
    parsed.values[name] = *inline_value;
    parsed.all_values[name].push_back(*inline_value);
  }
  return parsed;
}

std::string format_options_help(std::span<const OptionSpec> options) {
  std::vector<std::pair<std::string, std::string_view>> rows;
  for (auto specs : {options, common_options()}) {
    for (const auto& o : specs) {
      std::string left = o.short_name ? std::string("-") + o.short_name + ", " : "    ";
      left += "--" + std::string(o.name);
      if (o.takes_value == TakesValue::Yes) left += " " + std::string(o.value_name);
      rows.emplace_back(std::move(left), o.help);
    }
  }
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.first.size());
  std::string out = "Options:\n";
  for (const auto& r : rows)
    out += "  " + r.first + std::string(width - r.first.size() + 2, ' ') + std::string(r.second) +
           "\n";
  return out;
}

}  // namespace nestlab::cli
