// `nestlab vhv pause|resume VHV` (S10): stops a VHV's CPUs and its guest's
// time, and lets them go on; what the guest's clock does with the pause is
// the VM's tick policy (`nestlab run --tick-policy`).
#include <string>

#include "console/client/json_get.h"
#include "console/commands.h"

namespace nestlab::cli {

namespace {

int pause_or_resume(const Invocation& inv, const char* method, const std::string& help) {
  int status = 0;
  auto args = parse_or_report(inv, {}, status);
  if (!args) return status;
  if (args->help()) {
    write_all(1, help);
    return 0;
  }
  if (args->operands.size() != 1)
    return usage_error(inv.name, args->operands.empty()
                                     ? "missing VHV (an id like vhv-3, or a name)"
                                     : "unexpected argument '" + args->operands[1] + "'");
  auto client = connect(inv, *args);
  if (client.is_error()) return fail(inv.name, client.error().message, 1);
  auto r = client.value()->call(method, {{"vhv", args->operands[0]}});
  if (r.is_error()) return fail(inv.name, r.error().message, 1);
  if (wants_json(inv, *args)) {
    write_all(1, client::json_dump(r.value(), 2) + "\n");
    return 0;
  }
  const auto& v = r.value();
  std::string line = args->operands[0] + (v.value("paused", false) ? ": paused" : ": resumed");
  if (v.contains("paused_ms"))
    line += " after " + std::to_string(v.value("paused_ms", uint64_t{0})) + " ms (tick policy " +
            v.value("tick_policy", std::string("?")) + ")";
  write_all(1, line + "\n");
  return 0;
}

}  // namespace

int vhv_pause(const Invocation& inv) {
  return pause_or_resume(inv, "vhv.pause",
                         "Usage: nestlab vhv pause VHV\n\nStops a virtual hypervisor's CPUs (its "
                         "guest's clock stops with them) until `nestlab vhv resume`.\n");
}

int vhv_resume(const Invocation& inv) {
  return pause_or_resume(inv, "vhv.resume",
                         "Usage: nestlab vhv resume VHV\n\nLets a paused virtual hypervisor run "
                         "again. The guest's time then follows the VM's tick policy (nestlab run "
                         "--tick-policy): none = the pause does not count, skip = time jumps over "
                         "it, accelerated = time catches up at double rate.\n");
}

}  // namespace nestlab::cli
