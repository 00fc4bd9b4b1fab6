// The tiny runtime of the test guests: PL011 output, device tree lookup of
// /chosen/bootargs, PSCI calls over HVC, optional exception vectors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace guest {

inline constexpr uint64_t kUart = 0x0900'0000;  // PL011 on QEMU -M virt and in a VHV
inline constexpr uint64_t kRamBase = 0x4000'0000;

void putc(char c);
void puts(const char* s);  // no newline added
void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// /chosen/bootargs of the tree at `dtb` (0: look at the RAM base), or ""
// when absent or invalid.
const char* bootargs(uint64_t dtb);
// Value of "key=N" in the bootargs, or `fallback`.
uint64_t bootarg_number(const char* bootargs, const char* key, uint64_t fallback);

uint64_t psci_call(uint64_t function, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0);
inline constexpr uint64_t kPsciVersion = 0x8400'0000;
inline constexpr uint64_t kPsciSystemOff = 0x8400'0008;

struct ExceptionFrame {
  uint64_t x[31];
  uint64_t elr;
  uint64_t spsr;
  uint64_t pad;
};
// Installs guest_vectors in VBAR_EL1; the guest defines
//   extern "C" void guest_exception(ExceptionFrame*, uint64_t kind);
void install_vectors();

inline uint64_t read_esr_el1() {
  uint64_t v;
  asm volatile("mrs %0, esr_el1" : "=r"(v));
  return v;
}
inline uint64_t read_far_el1() {
  uint64_t v;
  asm volatile("mrs %0, far_el1" : "=r"(v));
  return v;
}
// For a guest_exception that expects only IRQs (kind 5: from the current EL
// with SP_ELx): any other kind is printed with its ESR and ELR and ends the
// guest with exit code 3.
void expect_irq(const ExceptionFrame* f, uint64_t kind);

// What device-tree walks and option checks need (there is no libc here).
uint32_t be32(const uint8_t* p);  // a big-endian 32-bit cell
bool equals(const char* a, const char* b);
size_t length(const char* s);

}  // namespace guest

extern "C" [[noreturn]] void psci_system_off(uint64_t code);
