// S18 mailbox boot: a secondary-boot protocol the lowvisor can offer a VM
// instead of PSCI CPU_ON, in the spirit of the ACPI parking protocol (ACPI
// 6.5 5.2.12.14, "Multiprocessor Startup for ARM Platforms"). At the top of
// guest RAM the lowvisor keeps one page of secondary initialisation code and
// one 4 KiB mailbox per CPU. Every secondary vCPU starts in that code with
// the MMU off, x0 = its mailbox, and waits (WFE) until the mailbox's jump
// address is non-zero, then branches there with x0 still = its mailbox.
// The device tree describes it with the standard "spin-table" enable-method
// (cpu-release-addr = the jump address field), so unmodified software that
// knows spin-table boots the secondaries by writing that field and SEV.
// After a SYSTEM_RESET the secondaries are parked there again (S8) and the
// new boot releases them the same way.
#pragma once

#include <cstdint>

namespace nestlab::mailbox {

inline constexpr uint64_t kStride = 4096;
inline constexpr uint32_t kMaxCpus = 8;
inline constexpr uint64_t kRegionSize = 64 * 1024;  // code page + mailboxes, 64 KiB aligned

struct Mailbox {
  uint32_t cpu_id;  // MPIDR Aff0 of the CPU this mailbox belongs to
  uint32_t reserved;
  uint64_t jump_address;  // 0 while parked; the OS writes its entry here
};
inline constexpr uint64_t kJumpAddressOffset = 8;

// The region's guest address: the top 64 KiB of guest RAM.
constexpr uint64_t region_ipa(uint64_t ram_ipa, uint64_t ram_size) {
  return ram_ipa + ram_size - kRegionSize;
}
constexpr uint64_t code_ipa(uint64_t region) { return region; }
constexpr uint64_t mailbox_ipa(uint64_t region, uint32_t cpu) {
  return region + kStride * (1 + cpu);
}

// The secondary initialisation code (AArch64, position independent):
//   1: ldr x1, [x0, #8]; cbnz x1, 2f; wfe; b 1b; 2: br x1
inline constexpr uint32_t kParkingCode[] = {0xf9400401, 0xb5000061, 0xd503205f, 0x17fffffd,
                                            0xd61f0020};

}  // namespace nestlab::mailbox
