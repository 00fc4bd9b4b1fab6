// Kernel log lines on stderr: "nestlabd: <subsystem>: text". Quiet topics
// (per-line protocol traces) are compiled in only with NESTLAB_KERNEL_DEBUG.
#pragma once

#include <string_view>

namespace nestlab::kernel {

void log(std::string_view subsystem, std::string_view text);

#ifdef NESTLAB_KERNEL_DEBUG
inline constexpr bool kDebug = true;
#else
inline constexpr bool kDebug = false;
#endif

}  // namespace nestlab::kernel
