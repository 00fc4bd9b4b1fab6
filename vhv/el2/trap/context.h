// The guest register state saved by vectors.S on every exit. Offsets are
// used by the assembly: keep them in sync (static_asserts below).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab {

struct VcpuContext {
  uint64_t x[31];  // x0..x30
  uint64_t elr;    // guest PC to return to (ELR_EL2)
  uint64_t spsr;   // guest PSTATE (SPSR_EL2)

  // Register operand access by ISS register number: 31 is XZR here.
  uint64_t reg(unsigned n) const { return n < 31 ? x[n] : 0; }
  void set_reg(unsigned n, uint64_t v) {
    if (n < 31) x[n] = v;
  }
};
static_assert(offsetof(VcpuContext, elr) == 248);
static_assert(offsetof(VcpuContext, spsr) == 256);

// What brought the guest back to the lowvisor: the vector group entry.
enum class ExitKind : uint64_t { Sync = 0, Irq = 1, Fiq = 2, SError = 3, AArch32 = 4 };

extern "C" ExitKind enter_guest(VcpuContext* ctx);

}  // namespace nestlab
