// Exits the lowvisor does not (yet) handle: stop the VM and say what
// happened. Never hang, never panic because of a guest.
#include "vhv/el2/trap/dispatch.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {

using ull = unsigned long long;

ExitAction handle_unexpected(Vm& vm, const ExitInfo& exit) {
  vm.stop(channel::VmExitReason::Fault, 0, &exit,
          "guest took an exception the lowvisor does not handle: %s (EC 0x%02x) at pc 0x%llx, iss "
          "0x%x, far 0x%llx",
          exception_class_name(exit.ec), unsigned(exit.ec), ull(exit.pc), exit.iss, ull(exit.far));
  return ExitAction::Stop;
}

}  // namespace nestlab
