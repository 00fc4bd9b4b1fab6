// `nestlab version` and `nestlab kernel status`: who is talking to whom.
// Neither starts a kernel: asking about one should not create one.
#include "console/client/json_get.h"
#include "console/client/places.h"
#include "console/commands.h"

#ifndef NESTLAB_VERSION
#define NESTLAB_VERSION "unknown"
#endif

namespace nestlab::cli {

namespace {

using client::json;
using client::json_dump;
using client::json_int;
using client::json_string;

std::string socket_of(const Invocation& inv, const ParsedArgs& args) {
  if (auto s = args.value("socket")) return *s;
  if (inv.socket) return *inv.socket;
  return default_socket_path();
}

// kernel.hello on an already-running kernel.
HostResult<json> hello(const Invocation& inv, const ParsedArgs& args) {
  auto c = TRY(connect(inv, args, client::AutoStart::No));
  return c->call("kernel.hello");
}

std::string describe_kernel(const json& h) {
  return "nestlabd " + json_string(h, "version", "?") + " (" + json_string(h, "mode", "?") +
         " mode, pid " + std::to_string(json_int(h, "pid")) + ", uid " +
         std::to_string(json_int(h, "uid")) + ")";
}

}  // namespace

int cmd_version(const Invocation& inv) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab version\n\nPrints the version of nestlab and of the running "
              "nestlabd, if any.\n\n" +
                  format_options_help({}));
    return 0;
  }
  auto h = hello(inv, *args);
  if (wants_json(inv, *args)) {
    json out = {{"version", NESTLAB_VERSION}, {"kernel", h.is_ok() ? h.value() : json(nullptr)}};
    write_all(1, json_dump(out, 2) + "\n");
    return 0;
  }
  std::string text = std::string("nestlab ") + NESTLAB_VERSION + "\n";
  text += h.is_ok() ? describe_kernel(h.value()) + "\n" : "nestlabd: not running\n";
  write_all(1, text);
  return 0;
}

int cmd_kernel(const Invocation& inv) {
  if (inv.args.empty()) return usage_error(inv.name, "missing command (status)");
  const std::string& word = inv.args[0];
  if (word == "--help" || word == "-h" || word == "help") {
    write_all(1,
              "Usage: nestlab kernel status\n\nReports whether nestlabd is running, its version, "
              "mode and pid.\n");
    return 0;
  }
  if (word != "status") return usage_error(inv.name, "unknown command '" + word + "'");
  Invocation sub = inv;
  sub.name += " status";
  sub.args.erase(sub.args.begin());

  int status = 0;
  auto args = parse_or_report(sub, {}, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1,
              "Usage: nestlab kernel status\n\nReports whether nestlabd is running (exit 0) or not "
              "(exit 1).\n\n" +
                  format_options_help({}));
    return 0;
  }
  if (!args->operands.empty())
    return usage_error(sub.name, "unexpected argument '" + args->operands[0] + "'");
  std::string path = socket_of(sub, *args);
  auto h = hello(sub, *args);
  bool json_out = wants_json(sub, *args);
  if (h.is_error()) {
    bool absent = h.error().code == ErrorCode::Unavailable;
    if (json_out)
      write_all(1,
                json_dump({{"running", false}, {"socket", path}, {"error", h.error().message}}, 2) +
                    "\n");
    if (absent)
      return fail(sub.name,
                  "nestlabd is not running (nothing listens on " + path +
                      "); commands that need it start it",
                  1);
    return fail(sub.name, h.error().message, 1);
  }
  json out = h.value();
  if (json_out) {
    out["running"] = true;
    out["socket"] = path;
    write_all(1, json_dump(out, 2) + "\n");
  } else {
    write_all(1, describe_kernel(out) + "\nsocket: " + path + "\n");
  }
  return 0;
}

}  // namespace nestlab::cli
