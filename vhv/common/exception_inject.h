// How an exception taken to the guest's EL1 looks, computed from the guest
// state at the time: the vector offset from VBAR_EL1, the ESR_EL1 value and
// the PSTATE on entry. Arm ARM D1.10.2 (exception vectors), D1.10.1 (PSTATE
// on taking an exception) and D17.2.37 (ESR_ELx).
#pragma once

#include <cstdint>

#include "vhv/common/esr.h"

namespace nestlab {

// SPSR/PSTATE.M values for AArch64 (Arm ARM C5.2.19, SPSR_EL2.M[3:0]).
inline constexpr uint64_t kPstateModeMask = 0x1f;
inline constexpr uint64_t kModeEl0t = 0x0;
inline constexpr uint64_t kModeEl1t = 0x4;
inline constexpr uint64_t kModeEl1h = 0x5;
inline constexpr uint64_t kPstateModeAArch32 = 0x10;
inline constexpr uint64_t kPstateDaif = 0x3c0;     // D, A, I, F masked
inline constexpr uint64_t kPstateSs = 1ull << 21;  // software step (Arm ARM D2.12)

enum class VectorOffset : uint64_t {
  CurrentSp0 = 0x000,
  CurrentSpx = 0x200,
  LowerAArch64 = 0x400,
  LowerAArch32 = 0x600,
};

// Offset of the *synchronous* entry in the group the exception uses.
VectorOffset sync_vector_offset(uint64_t guest_pstate);

// True when the guest was at EL1 (so the class is the "current EL" variant).
bool guest_at_el1(uint64_t guest_pstate);

// PSTATE after taking an exception to EL1: EL1h with DAIF masked.
constexpr uint64_t pstate_on_exception_entry(uint64_t /*old*/) { return kModeEl1h | kPstateDaif; }

// ESR_EL1 for an injected synchronous external data abort. IL = 1: only
// 32-bit A64 instructions reach us.
uint64_t external_data_abort_esr(uint64_t guest_pstate, bool write);

// ESR_EL1 for an UNDEFINED instruction (EC 0, IL 1), what an SMC with no
// EL3 behind it gives (Arm ARM D1.12.4, as QEMU does with PSCI over HVC).
constexpr uint64_t undefined_esr() { return make_esr(ExceptionClass::Unknown, true, 0); }

}  // namespace nestlab
