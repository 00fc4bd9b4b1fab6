// The lab contract of `nestlab run --hypervisor HYP.elf [GUEST …]`
// (docs/hypervisor.md): where the student's EL2 image and the guests go in
// the VHV's RAM. Pure planning over bytes, checked with the loader the
// lowvisor uses (vhv/common/elf_loader.h), so a bad image is refused with a
// sentence before QEMU starts.
//
// - HYP.elf is an AArch64 ELF executable loaded by its program headers, as
//   plain QEMU's -kernel loads it; every segment inside RAM
//   [0x4000_0000, + mem).
// - QEMU puts its device tree at the start of RAM when the image leaves room
//   there (a 1 MiB blob, hw/arm/boot.c); with guests the tree must be there,
//   so HYP.elf must then load at or above RAM + 1 MiB (RAM + 2 MiB is what
//   the test programs use).
// - Guest N is flattened (its loadable bytes from its lowest address, gaps
//   and BSS zeroed) into a 2 MiB-aligned slot: the first at RAM + 64 MiB, or
//   at the first 2 MiB boundary above HYP.elf if that reaches higher, each
//   next one at the first 2 MiB boundary after the previous. The guest's own
//   addresses (load address, entry) are IPAs for the hypervisor to map.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "vhv/common/elf_loader.h"

namespace nestlab::vhv {

inline constexpr uint64_t kHypRamBase = 0x4000'0000;
inline constexpr uint64_t kHypDtbRoom = 1ull << 20;  // QEMU virt's device tree blob
inline constexpr uint64_t kHypGuestBase = kHypRamBase + (64ull << 20);
inline constexpr uint64_t kHypGuestAlign = 2ull << 20;
inline constexpr size_t kHypMaxGuests = 8;

struct ImageBytes {
  std::string name;  // what messages and the device tree call it
  std::vector<uint8_t> bytes;
};

struct PlacedGuest {
  std::string name;
  uint64_t pa = 0;            // where its first byte is, 2 MiB aligned
  uint64_t load_address = 0;  // the IPA of that byte (its lowest segment)
  uint64_t entry = 0;         // IPA
  std::vector<uint8_t> flat;  // the bytes to write at pa
};

struct HypPlan {
  ImagePlan hyp;
  std::vector<PlacedGuest> guests;
};

HostResult<HypPlan> plan_lab(const ImageBytes& hyp, std::span<const ImageBytes> guests,
                             uint64_t mem);

}  // namespace nestlab::vhv
