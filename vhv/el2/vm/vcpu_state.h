// Filling a vCPU's versioned state (vhv/common/vcpu_state.h) from the CPU
// that runs it, when the vCPU leaves that CPU (vm/vcpu_run.cpp).
#pragma once

namespace nestlab {

class Vm;

// Captures everything of the vCPU on this CPU into vm.vcpu(cpu).state:
// general registers, EL1 system registers, debug registers, FP/SIMD (from
// the registers if the vCPU used FP since it was loaded), timers and the GIC
// virtual CPU interface with every list register. Call before the vGIC and
// timers of the CPU are switched off; sched_lock() held.
void vcpu_capture(Vm& vm, unsigned cpu);

}  // namespace nestlab
