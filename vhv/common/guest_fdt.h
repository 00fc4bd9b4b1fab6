// The device tree a guest finds in x0: the same nodes, addresses and
// interrupts that QEMU `-M virt,gic-version=3 -cpu cortex-a72` gives a
// directly booted kernel (hw/arm/virt.c), so bare-metal guests and Linux see
// one platform whether they run on plain QEMU or under a VHV.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "vhv/common/device_fdt.h"
#include "vhv/common/device_map.h"
#include "vhv/common/fdt_writer.h"
#include "vhv/common/guest_inventory.h"
#include "vhv/common/layout.h"

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
  // S3: the devices to describe; null means kDefaultInventory.
  const GuestDevice* devices = nullptr;
  size_t device_count = 0;
  // S9: the user's device-ID mapping table, written to /nestlab-device-map;
  // null or empty: no such node.
  const device_map::Table* device_map = nullptr;
  // Where the PL011 is (its node, `reg` and /chosen/stdout-path); 0 means
  // QEMU virt's place, layout::kGuestPl011Ipa. Only the lab grader moves it.
  // Every other emulated device is where its descriptor says
  // (DevicePlacement::qemu_virt, guest_devices.h), its node written by
  // the descriptor's fdt_node.
  uint64_t pl011_ipa = 0;
  // The initrd in guest memory, [initrd_start, initrd_end): /chosen gets
  // linux,initrd-start and linux,initrd-end (devicetree chosen.yaml), as
  // QEMU writes them for -initrd. Equal: no initrd.
  uint64_t initrd_start = 0;
  uint64_t initrd_end = 0;
};

// A place the guest's PL011 may be moved to: a 4 KiB page of the MMIO space
// above the GIC redistributors (QEMU virt's PL011 is the lowest such page)
// and below guest RAM, where no other device of the guest platform lives
// (the PL031's page excepted).
constexpr bool valid_pl011_ipa(uint64_t ipa) {
  return ipa % 0x1000 == 0 && ipa >= layout::kGuestPl011Ipa &&
         ipa + 0x1000 <= layout::kGuestDeviceLimit && ipa != layout::kGuestPl031Ipa;
}

// Returns the size of the blob written to `buf` (at most 64 KiB is ever needed).
[[nodiscard]] Result<uint32_t, FdtError> build_guest_fdt(void* buf, size_t len,
                                                         const GuestFdtConfig& config);

}  // namespace nestlab
