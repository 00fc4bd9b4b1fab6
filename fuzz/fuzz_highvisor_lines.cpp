// What a (compromised) highvisor may send the kernel on its control socket:
// the first byte picks how the rest is read (an event, the result of one of
// the kernel's requests, or an error), as kernel/control_checks.h checks it
// before the kernel acts on any of it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/control_protocol.h"
#include "kernel/control_checks.h"
#include "kernel/json_bounds.h"

namespace {

constexpr std::string_view kMethods[] = {
    nestlab::control::kRun,    nestlab::control::kStats,     nestlab::control::kConsoleInput,
    nestlab::control::kTrace,  nestlab::control::kGuestinfo, nestlab::control::kPause,
    nestlab::control::kResume, nestlab::control::kShutdown,  "no-such-method",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto parsed = nestlab::kernel::parse_bounded_json(text);
  if (!parsed.value) return 0;
  const nlohmann::json& j = *parsed.value;
  (void)nestlab::kernel::json_preview(j);
  switch (selector % 3) {
    case 0: (void)nestlab::kernel::check_event(j); break;
    case 1:
      (void)nestlab::kernel::check_reply_result(
          kMethods[(selector / 3) % (sizeof(kMethods) / sizeof(kMethods[0]))], j);
      break;
    default: (void)nestlab::kernel::check_reply_error(j); break;
  }
  return 0;
}
