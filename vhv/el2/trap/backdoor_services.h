// The hypercall services shared by the BRK backdoor (S4) and the DCC path
// (S2): vhv/common/backdoor.h is the ABI. Requests come from the vCPU's x0..x5
// and answers go to x0..x3; a malformed request gets an error code in x0 and
// is counted, never stops the VM.
#pragma once

#include <cstdint>

namespace nestlab {

class Vm;

enum class BackdoorPath : uint8_t { Brk, Dcc };

// Serves the request in vm.ctx() and returns the status it left in x0.
int64_t serve_backdoor(Vm& vm, BackdoorPath path);

// Records the VHV counter at VM start: the lowvisor's half of the time base
// for the host-time service (the highvisor writes the other half).
void backdoor_on_vm_start(unsigned slot);

}  // namespace nestlab
