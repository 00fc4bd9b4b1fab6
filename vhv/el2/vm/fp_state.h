// A vCPU's FP/SIMD state (Arm ARM A1.4, "Floating-point and Advanced SIMD
// registers"): V0-V31, FPCR, FPSR. It lives in the CPU's registers while the
// vCPU has used FP since it was last loaded, in this struct otherwise
// (vm/fp_switch.cpp). The lowvisor itself never touches FP/SIMD
// (-mgeneral-regs-only), so only guests do.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/vcpu_state.h"

namespace nestlab {

// The FP part of the versioned vCPU state (vhv/common/vcpu_state.h).
using FpState = VcpuState::Fp;
static_assert(offsetof(FpState, fpcr) == 512);  // fp_switch.S
static_assert(offsetof(FpState, fpsr) == 520);

extern "C" void fp_save_registers(FpState* state);           // CPTR_EL2.TFP clear
extern "C" void fp_restore_registers(const FpState* state);  // CPTR_EL2.TFP clear

}  // namespace nestlab
