// The device tree a guest finds in x0: the same nodes, addresses and
// interrupts that QEMU `-M virt,gic-version=3 -cpu cortex-a72` gives a
// directly booted kernel (hw/arm/virt.c), so bare-metal guests and Linux see
// one platform whether they run on plain QEMU or under a VHV.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/fdt_writer.h"
#include "vhv/common/result.h"

namespace nestlab {

struct GuestFdtConfig {
  uint64_t ram_ipa;
  uint64_t ram_size;
  uint32_t cpus;         // 1..8
  const char* bootargs;  // may be empty, never null
  // S18: guest address of the mailbox region (vhv/common/mailbox.h); then
  // the secondary CPUs use enable-method "spin-table" and the region is
  // reserved. 0: every CPU uses PSCI.
  uint64_t mailbox_region = 0;
};

// Phandles as QEMU numbers them, so dumps of both trees compare cleanly.
inline constexpr uint32_t kPhandleApbClock = 0x8000;
inline constexpr uint32_t kPhandleGic = 0x8002;

// Returns the size of the blob written to `buf` (at most 64 KiB is ever needed).
[[nodiscard]] Result<uint32_t, FdtError> build_guest_fdt(void* buf, size_t len,
                                                         const GuestFdtConfig& config);

}  // namespace nestlab
