// What a trap handler decides; the run loop in vm/ carries it out.
#pragma once

#include <cstdint>

#include "vhv/common/esr.h"

namespace nestlab {

enum class ExitAction : uint8_t {
  Advance,  // resume at the next instruction (the trapped one is complete)
  Resume,   // resume at ctx.elr as the handler left it (HVC, injected exception)
  Reboot,   // reload the image and restart the VM (PSCI SYSTEM_RESET)
  Stop,     // the VM ended; Vm::stop_info() says how and why
};

const char* exit_action_name(ExitAction a);

// The decoded syndrome of one synchronous exit.
struct ExitInfo {
  ExceptionClass ec;
  uint64_t esr;
  uint32_t iss;
  uint64_t pc;   // ELR_EL2
  uint64_t far;  // FAR_EL2 (a guest VA)
  uint64_t ipa;  // from HPFAR_EL2 for stage-2 aborts, else 0
};

}  // namespace nestlab
