// Names of the control protocol between nestlabd and a highvisor
// (docs/protocols.md section 2): one JSON object per line on the VHV's
// control socket. Requests carry "method"; the highvisor's unsolicited
// messages carry "event". Both ends spell them from here.
#pragma once

namespace nestlab::control {

// Requests, kernel -> highvisor.
inline constexpr char kRun[] = "run";
inline constexpr char kStop[] = "stop";  // one VM: {vm}
inline constexpr char kStats[] = "stats";
inline constexpr char kConsoleInput[] = "console-input";
inline constexpr char kTrace[] = "trace";
inline constexpr char kGuestinfo[] = "guestinfo";
inline constexpr char kPause[] = "pause";
inline constexpr char kResume[] = "resume";
inline constexpr char kShutdown[] = "shutdown";

// Events, highvisor -> kernel.
inline constexpr char kHello[] = "hello";
inline constexpr char kReady[] = "ready";
inline constexpr char kConsole[] = "console";
inline constexpr char kLog[] = "log";
inline constexpr char kVmExit[] = "vm-exit";
inline constexpr char kSeccomp[] = "seccomp";
inline constexpr char kFailed[] = "failed";

}  // namespace nestlab::control
