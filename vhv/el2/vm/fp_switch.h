// Lazy FP/SIMD switching for vCPUs (vm/fp_switch.cpp). All calls on the CPU
// that runs the vCPU, with sched_lock() held.
#pragma once

#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class Vm;
struct Vcpu;

// A vCPU (re)starts: its FP/SIMD state is the reset one (all zero), not in
// the registers yet; the first FP instruction traps.
void fp_reset(Vcpu& v);
// The vCPU leaves this CPU: its registers go back into the struct, and the
// next FP instruction on this CPU traps again.
void fp_put(Vcpu& v);
// The vCPU is loaded on this CPU with its FP/SIMD state still in its Vcpu:
// the first FP instruction traps.
void fp_load(Vcpu& v);

// EC 0x07: the guest's first FP/SIMD instruction since its vCPU was loaded.
ExitAction handle_fp_access(Vm& vm, const ExitInfo& exit);

}  // namespace nestlab
