// The teaching hypervisor skeleton (labs/hyp): what its parts share. It runs
// at EL2 of `nestlab run --hypervisor` (docs/hypervisor.md) with the MMU off,
// one CPU, and one guest at EL1 with no stage 2 (hypervisor lab 1): the
// guest's IPAs are physical addresses, so its image must be linked where
// nestlab puts it (0x4400_0000).
#pragma once

#include <cstddef>
#include <cstdint>

namespace hyp {

// A virtual CPU: the guest's general registers while it does not run, and
// what the last exit left in the EL2 syndrome registers. The world switch
// (world_switch.S) relies on the offsets checked below.
struct Vcpu {
  uint64_t x[31];      // x0..x30 of the guest
  uint64_t elr;        // ELR_EL2: where the guest resumes
  uint64_t spsr;       // SPSR_EL2: the guest's PSTATE
  uint64_t esr;        // ESR_EL2 of the last exit
  uint64_t far;        // FAR_EL2 of the last exit
  uint64_t exit_kind;  // which vector entry the exit came through (8..15)
  uint64_t host_sp;    // the hypervisor's SP while the guest runs
};
static_assert(offsetof(Vcpu, x) == 0);
static_assert(offsetof(Vcpu, elr) == 248);
static_assert(offsetof(Vcpu, spsr) == 256);
static_assert(offsetof(Vcpu, esr) == 264);
static_assert(offsetof(Vcpu, far) == 272);
static_assert(offsetof(Vcpu, exit_kind) == 280);
static_assert(offsetof(Vcpu, host_sp) == 288);

// What an exit handler did: Advance skips the trapping instruction
// (ELR_EL2 += 4), Resume re-enters at ELR_EL2 as it is (an HVC's ELR_EL2
// already points past it), PowerOff ends the run, Unhandled is a bug the
// hypervisor reports before it powers off.
enum class ExitAction { Advance, Resume, PowerOff, Unhandled };

// Exception classes of ESR_EL2 (Arm ARM D17.2.37, ESR_EL2.EC), real values.
enum class ExceptionClass : uint32_t {
  Unknown = 0x00,
  Wfx = 0x01,
  Hvc64 = 0x16,
  Smc64 = 0x17,
  Sys64 = 0x18,
  InstAbortLow = 0x20,
  DataAbortLow = 0x24,
};
constexpr ExceptionClass exception_class(uint64_t esr) {
  return static_cast<ExceptionClass>((esr >> 26) & 0x3f);
}
constexpr uint16_t hvc_immediate(uint64_t esr) { return static_cast<uint16_t>(esr & 0xffff); }
static_assert(exception_class(0x5a000001) == ExceptionClass::Hvc64);
static_assert(hvc_immediate(0x5a000001) == 1);

// uart.cpp: the PL011 at 0x0900_0000, polled.
void putc(char c);
void puts(const char* s);
void put_hex(uint64_t v);
void put_dec(uint64_t v);

// alloc.cpp: a bump allocator over the RAM after the image; never frees.
void* alloc(size_t bytes, size_t align = 16);

// fdt.cpp: the first /nestlab/guest@ node of the tree at 0x4000_0000.
struct GuestImage {
  uint64_t base = 0;  // reg: where nestlab put its bytes (PA)
  uint64_t size = 0;
  uint64_t load = 0;   // load-address: the IPA of base
  uint64_t entry = 0;  // entry (IPA)
  const char* name = "";
};
bool find_guest(uint64_t dtb, GuestImage& out);

// psci.cpp: QEMU's firmware, over SMC (its conduit with virtualization=on).
[[noreturn]] void system_off(uint64_t exit_code);

// The world switch (world_switch.S, a file of the lab): runs the guest until
// its next exception to EL2 and returns then, with the guest's registers and
// the syndrome saved in `vcpu`.
extern "C" void guest_enter(Vcpu* vcpu);

// The HVC handler (hvc.cpp, a file of the lab).
ExitAction handle_hvc(Vcpu& vcpu);

}  // namespace hyp
