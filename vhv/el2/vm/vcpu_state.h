// Filling a vCPU's versioned state (vhv/common/vcpu_state.h) from the CPU
// that runs it, when the vCPU leaves that CPU (vm/vcpu_run.cpp).
#pragma once

namespace nestlab {

class Vm;

// Captures everything of vCPU `index`, loaded on this CPU, into its state:
// general registers, EL1 system registers, debug registers, FP/SIMD (from
// the registers if the vCPU used FP since it was loaded), timers and the GIC
// virtual CPU interface with every list register. Call before the vGIC and
// timers of the CPU are switched off; sched_lock() held.
void vcpu_capture(Vm& vm, unsigned index);
// The reverse, on the CPU that is to run vCPU `index` next: its EL1 system
// registers, debug registers, virtual timer and GIC virtual CPU interface
// from its state (the general registers stay in its context; FP/SIMD is
// loaded on first use). sched_lock() held.
void vcpu_restore(Vm& vm, unsigned index);

}  // namespace nestlab
