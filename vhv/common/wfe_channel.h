// The WFE channel (S14), guest-visible ABI. The guest puts kRequestMagic in
// x17, an operation in x16 and arguments in x0..x1, then executes WFE. The
// lowvisor answers with kReplyMagic in x17, a status in x16 (0 or a negative
// backdoor::Error) and a result in x0. A WFE without the magic is an ordinary
// WFE (a hint that completes at once), and x16/x17 are left alone.
//
// The watchdog: Arm with a timeout in ns of guest virtual time and an action;
// every Pet restarts the countdown. When the deadline passes the VHV takes
// the action once and disarms the watchdog.
#pragma once

#include <cstdint>

namespace nestlab::wfe_channel {

inline constexpr uint64_t kRequestMagic = 0x4e4c'5746'4551'0001ull;  // "NLWFEQ" v1
inline constexpr uint64_t kReplyMagic = 0x4e4c'5746'4541'0001ull;    // "NLWFEA" v1

enum class Op : uint64_t {
  Ping = 0,    // x0 -> x0 + 1
  Arm = 1,     // x0 = timeout ns (>= 1 ms, <= 1 h), x1 = Action
  Pet = 2,     // -> x0 = ns that were left
  Disarm = 3,  //
  Status = 4,  // -> x0 = ns left, or 0 when disarmed
};

enum class Action : uint64_t {
  Report = 0,  // a `watchdog` event (the VM keeps running)
  Stop = 1,    // the VM stops (vm-exit reason "fault", the message says watchdog)
  Reset = 2,   // the VM is reset, as PSCI SYSTEM_RESET
};

inline constexpr uint64_t kMinTimeoutNs = 1'000'000;
inline constexpr uint64_t kMaxTimeoutNs = 3'600'000'000'000ull;

}  // namespace nestlab::wfe_channel
