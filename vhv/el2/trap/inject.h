// Delivering a synchronous exception to the guest's EL1, as the hardware
// would have (Arm ARM D1.10: ELR_EL1, SPSR_EL1, ESR_EL1, FAR_EL1, then the
// vector at VBAR_EL1 + offset in EL1h with DAIF masked).
#pragma once

#include <cstdint>

namespace nestlab {

class Vm;

enum class InjectResult : uint8_t { Delivered, NoVector };

// `pc` is the preferred return address (the faulting instruction). When
// the vector is not in guest RAM (VBAR_EL1 unset, or unmapped by the
// guest's stage 1) nothing is changed and NoVector is returned; the caller
// stops the VM and says so. *vbar receives VBAR_EL1 for that message.
InjectResult inject_sync_exception(Vm& vm, uint64_t esr, uint64_t far, uint64_t pc, uint64_t* vbar);

}  // namespace nestlab
