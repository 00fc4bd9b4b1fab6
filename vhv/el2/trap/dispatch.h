// One table of exit handlers keyed by ESR_EL2.EC, and one audit point.
#pragma once

#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;

using ExitHandler = ExitAction (*)(Vm& vm, const ExitInfo& exit);

// Looks the class up, runs its handler and audits the result: any exit that
// stops the VM for a fault is logged with its class name.
ExitAction dispatch_exit(Vm& vm, const ExitInfo& exit);

// Handlers (trap/*.cpp, psci/). Each owns one exception class.
ExitAction handle_wfx(Vm& vm, const ExitInfo& exit);
ExitAction handle_hvc64(Vm& vm, const ExitInfo& exit);
ExitAction handle_smc64(Vm& vm, const ExitInfo& exit);
ExitAction handle_data_abort_low(Vm& vm, const ExitInfo& exit);
ExitAction handle_instruction_abort_low(Vm& vm, const ExitInfo& exit);
ExitAction handle_sys64(Vm& vm, const ExitInfo& exit);
ExitAction handle_brk64(Vm& vm, const ExitInfo& exit);
ExitAction handle_unexpected(Vm& vm, const ExitInfo& exit);

}  // namespace nestlab
