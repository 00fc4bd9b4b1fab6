// Lab runtime (labs/common): everything a lab program may use, in one header.
// It is small on purpose: read lab.cpp to see how each piece works.
//
// Your program defines
//     extern "C" int lab_main(uint64_t dtb);
// start.S calls it at EL1 with the device tree address that was in x0 and
// powers the machine off with its return value as the exit code.
//
// Platform: QEMU `-M virt` as a nestlab VHV shows it (RAM at 0x40000000,
// PL011 UART at 0x09000000, GICv3, the architected timer, PSCI over HVC).
// The code is built with -mgeneral-regs-only: no floating point.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" int lab_main(uint64_t dtb);

namespace lab {

inline constexpr uint64_t kRamBase = 0x4000'0000;
inline constexpr uint64_t kDefaultUart = 0x0900'0000;
// Exit code of a program stopped by the runtime's default exception handler.
inline constexpr uint8_t kExitCrash = 100;

// ---- Console --------------------------------------------------------------
// Output goes to the PL011 at uart() (polling its flag register, then writing
// its data register: two trapped MMIO accesses per character in a VHV), or,
// after console_via_backdoor(true), through the backdoor's Print service
// (one trap per puts/printf call, no MMIO at all; outside a VHV the UART
// is used all the same).
void set_uart(uint64_t pl011_base);
uint64_t uart();
void console_via_backdoor(bool on);
void putc(char c);
void puts(const char* s);  // no newline added
// %s %c %d %i %u %x %X %p %%, l/ll/z, widths, '0' and '-' ("%016llx").
void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
size_t snprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
size_t vsnprintf(char* buf, size_t size, const char* fmt, va_list args);

// ---- Strings (there is no libc) ---------------------------------------------
size_t strlen(const char* s);
bool streq(const char* a, const char* b);
bool starts_with(const char* s, const char* prefix);

// ---- Device tree and boot arguments ----------------------------------------
// The device tree address start.S found in x0. Plain QEMU passes 0 to an ELF
// and leaves the tree at the RAM base; this returns kRamBase then.
uint64_t dtb();
// /chosen/bootargs, or "" when there is none.
const char* bootargs();
// Copies the value of `key=value` in the bootargs into `out` (NUL-terminated,
// cut to size - 1). False when the key is absent.
bool bootarg(const char* key, char* out, size_t size);

// ---- Device registers ---------------------------------------------------------
// One plain LDR/STR each. In a VHV a device access traps and the lowvisor
// emulates it from the syndrome the CPU reports (ESR_EL2.ISV = 1); loads and
// stores with writeback (`ldr w0, [x1], #4`, which a compiler likes in a loop
// over a volatile pointer) or pairs (LDP/STP) carry no syndrome, and the
// lowvisor stops the guest. The asm keeps the compiler from choosing those.
inline uint32_t mmio_read32(uint64_t addr) {
  uint32_t v;
  asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
  return v;
}
inline void mmio_write32(uint64_t addr, uint32_t v) {
  asm volatile("str %w0, [%1]" ::"r"(v), "r"(addr) : "memory");
}
inline void mmio_write8(uint64_t addr, uint8_t v) {
  asm volatile("strb %w0, [%1]" ::"r"(uint32_t(v)), "r"(addr) : "memory");
}

// ---- PSCI (Arm DEN0022) over HVC #0 ------------------------------------------
inline constexpr uint32_t kPsciVersion = 0x8400'0000;
inline constexpr uint32_t kPsciCpuOff = 0x8400'0002;
inline constexpr uint32_t kPsciCpuOn = 0xC400'0003;
inline constexpr uint32_t kPsciSystemOff = 0x8400'0008;
inline constexpr uint32_t kPsciSystemReset = 0x8400'0009;
inline constexpr uint32_t kPsciFeatures = 0x8400'000A;
inline constexpr int32_t kPsciNotSupported = -1;
uint64_t psci_call(uint64_t function, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0);
uint32_t psci_version();                   // major << 16 | minor
int32_t psci_features(uint32_t function);  // 0 or feature flags; -1 = not supported
[[noreturn]] void system_off(uint8_t exit_code);

// ---- The nestlab backdoor (docs/traps.md) ----------------------------------
// Service number in x0, arguments in x1..x5; status in x0 (0 or negative),
// results in x1..x3. Two ways in: BRK #0x5658, or a read of MDCCSR_EL0 with
// the magic 0x4e4c4443 in x9 (the "DCC channel").
namespace service {
inline constexpr uint64_t kVersion = 0;       // -> r1 = 1, r2 = highest service
inline constexpr uint64_t kHostTimeNs = 1;    // -> r1 = host CLOCK_REALTIME, ns
inline constexpr uint64_t kVmUuid = 2;        // -> r1, r2 = the 16 bytes, big-endian
inline constexpr uint64_t kPrint = 3;         // a1 = address, a2 = length -> r1 = printed
inline constexpr uint64_t kGuestInfoGet = 4;  // a1 = key, a2 = buffer, a3 = size -> r1 = length
inline constexpr uint64_t kGuestInfoSet = 5;  // a1 = key, a2 = value ("" removes)
inline constexpr uint64_t kEcho = 6;          // a1..a3 -> r1..r3
// 7 and up exist too (docs/traps.md); the labs do not need them.
}  // namespace service
// Negative statuses.
inline constexpr int64_t kErrUnknownService = -1, kErrBadAddress = -2, kErrBadString = -3,
                         kErrNotFound = -4, kErrNoSpace = -5, kErrBusy = -6, kErrBadArgument = -7;

struct Reply {
  int64_t status;
  uint64_t r1, r2, r3;
};
// Through BRK #0x5658. Outside a VHV (plain QEMU) nothing is executed and the
// status is kErrUnknownService.
Reply backdoor(uint64_t service, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
               uint64_t a5 = 0);
// Through a trapped read of MDCCSR_EL0 (the same services).
Reply dcc(uint64_t service, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
          uint64_t a5 = 0);
// True under a nestlab lowvisor: asked once with a DCC version request (one
// SYS64 exit), then remembered.
bool in_vhv();
// Status; on success the value (NUL-terminated) is in `buf`.
int64_t guestinfo_get(const char* key, char* buf, size_t size);
int64_t guestinfo_set(const char* key, const char* value);

// ---- Markers (docs/labs.md) -------------------------------------------------
// Prints "@@mark <name> <mac>": <mac> is the 16 hex digits of
// SipHash-2-4(secret, name), the secret being guestinfo `lab.secret`, which
// the grader sets to 32 fresh hex digits before every run. Costs one backdoor
// call (a BRK64 exit). Without a secret (a run outside the grader, plain
// QEMU) it prints "@@mark <name> nosecret", which no grader accepts.
void mark(const char* name);

// ---- Exceptions -------------------------------------------------------------
// What vectors.S saves; lab_exception may change any of it (elr: where to
// return).
struct Frame {
  uint64_t x[31];
  uint64_t elr, spsr, esr, far, pad;
};
// Points VBAR_EL1 at lab_vectors (vectors.S). Every exception then calls
//     extern "C" void lab_exception(lab::Frame* frame, unsigned kind);
// (kind 4: synchronous, 5: IRQ, both from EL1). The runtime's own version
// prints the exception and powers off with kExitCrash; define yours to
// replace it.
void install_vectors();
inline uint32_t esr_class(uint64_t esr) { return static_cast<uint32_t>(esr >> 26) & 0x3f; }
inline uint32_t esr_iss(uint64_t esr) { return static_cast<uint32_t>(esr) & 0x1ff'ffff; }

// ---- Timer and interrupt controller ----------------------------------------
uint64_t counter();                                 // CNTVCT_EL0, the virtual count
uint64_t frequency();                               // CNTFRQ_EL0, counts per second
inline constexpr uint32_t kVirtualTimerIntid = 27;  // PPI 11
// GICv3 at the virt addresses: distributor (0x08000000) with affinity
// routing and Group 1 on, this CPU's redistributor (0x080A0000) awake, the
// system-register CPU interface on, all priorities let through.
void gic_init();
void gic_enable_ppi(uint32_t intid, uint8_t priority);  // SGI/PPI, Group 1
uint32_t gic_ack();                                     // ICC_IAR1_EL1; 1023 = none
void gic_eoi(uint32_t intid);                           // ICC_EOIR1_EL1
inline void irq_enable() { asm volatile("msr daifclr, #2" ::: "memory"); }
inline void irq_disable() { asm volatile("msr daifset, #2" ::: "memory"); }

}  // namespace lab

extern "C" char lab_vectors[];
extern "C" void lab_exception(lab::Frame* frame, unsigned kind);
extern "C" [[noreturn]] void lab_exit(int code);
