// The complete architectural state of one vCPU, as one versioned plain
// struct (Zircon's El2State is the model): what a world switch must keep,
// and what checkpoints, migration and enclaves save, move and hide. The
// lowvisor fills it when a vCPU leaves its CPU (vm/vcpu_state.cpp); the
// layout is a wire format, so it only grows with a new version.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab {

struct alignas(16) VcpuState {
  static constexpr uint32_t kMagic = 0x4356'4c4e;  // "NLVC"
  static constexpr uint32_t kVersion = 1;
  static constexpr unsigned kMaxListRegisters = 16;
  static constexpr unsigned kMaxBreakpoints = 16;
  static constexpr unsigned kMaxWatchpoints = 16;

  // FP/SIMD (Arm ARM A1.4): V0-V31 as (low, high) 64-bit halves.
  struct alignas(16) Fp {
    uint64_t v[64];
    uint64_t fpcr;
    uint64_t fpsr;
  };
  // EL1 system registers (D17.2), the EL1 side of a world switch.
  struct El1 {
    uint64_t sctlr, cpacr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
    uint64_t tpidr_el0, tpidrro_el0, tpidr_el1;
    uint64_t esr, far, afsr0, afsr1, par, cntkctl, csselr;
    uint64_t sp_el0, sp_el1, elr, spsr;
  };
  // Self-hosted debug (D2): MDSCR_EL1, the OS lock, and as many
  // breakpoint/watchpoint pairs as the CPU implements.
  struct Debug {
    uint64_t mdscr;
    uint64_t oslsr;  // OSLSR_EL1 (OSLK in bit 1)
    uint32_t breakpoints, watchpoints;
    uint64_t bvr[kMaxBreakpoints], bcr[kMaxBreakpoints];
    uint64_t wvr[kMaxWatchpoints], wcr[kMaxWatchpoints];
  };
  // Timers (D11): the EL1 virtual timer and the VM's offset; the EL1
  // physical timer, which the lowvisor emulates (timer/phys_timer.h).
  struct Timers {
    uint64_t cntv_ctl, cntv_cval, cntvoff;
    uint64_t cntp_ctl, cntp_cval;
  };
  // The GIC virtual CPU interface (IHI 0069 12.4).
  struct Gic {
    uint64_t vmcr;
    uint64_t ap0r[4], ap1r[4];
    uint64_t lr[kMaxListRegisters];
  };

  uint32_t magic = kMagic;
  uint32_t version = kVersion;
  uint32_t size = sizeof(VcpuState);
  uint32_t list_registers = 0;  // ICH_LR<n>_EL2 implemented (and saved)
  uint64_t x[31] = {};          // x0..x30
  uint64_t pc = 0;              // where the vCPU resumes
  uint64_t pstate = 0;          // its PSTATE (as SPSR_EL2 holds it)
  El1 el1{};
  Debug debug{};
  Fp fp{};
  Timers timers{};
  Gic gic{};
};
// The version-1 layout (a change needs kVersion + 1).
static_assert(offsetof(VcpuState, x) == 16);
static_assert(offsetof(VcpuState, pc) == 264);
static_assert(offsetof(VcpuState, el1) == 280);
static_assert(offsetof(VcpuState, fp) % 16 == 0);
static_assert(sizeof(VcpuState::Fp) == 528);
static_assert(offsetof(VcpuState, fp) == 1008);
static_assert(sizeof(VcpuState) == 1776);

enum class VcpuStateError : uint8_t {
  Ok,
  BadMagic,          // not a vCPU state at all
  BadVersion,        // a version this build does not know
  BadSize,           // size does not match the version
  BadListRegisters,  // more list registers than the architecture has
  BadDebugCount,     // more breakpoints or watchpoints than there can be
  BadPstate,         // not AArch64 EL0t, EL1t or EL1h (nothing else runs a guest)
};

// Whether `s` is a state this build could restore; the first problem found.
constexpr VcpuStateError check_vcpu_state(const VcpuState& s) {
  if (s.magic != VcpuState::kMagic) return VcpuStateError::BadMagic;
  if (s.version != VcpuState::kVersion) return VcpuStateError::BadVersion;
  if (s.size != sizeof(VcpuState)) return VcpuStateError::BadSize;
  if (s.list_registers > VcpuState::kMaxListRegisters) return VcpuStateError::BadListRegisters;
  if (s.debug.breakpoints > VcpuState::kMaxBreakpoints ||
      s.debug.watchpoints > VcpuState::kMaxWatchpoints)
    return VcpuStateError::BadDebugCount;
  const uint64_t mode = s.pstate & 0x1f;  // M[4] = AArch32, M[3:0] = EL and SP
  if (mode != 0x0 && mode != 0x4 && mode != 0x5) return VcpuStateError::BadPstate;
  return VcpuStateError::Ok;
}

const char* vcpu_state_error_name(VcpuStateError e);

}  // namespace nestlab
