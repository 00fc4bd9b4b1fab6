// Linux guests booted the way QEMU's -kernel/-initrd boots them
// (hw/arm/boot.c): an arm64 `Image` is recognised by its header and loaded
// at a 2 MiB-aligned base plus its text_offset; the initrd and the device
// tree follow it where QEMU puts them. Pure logic shared by the highvisor
// (which refuses a bad image or an initrd that does not fit before anything
// runs) and the lowvisor (which plans again on the staged bytes).
#pragma once

#include <cstdint>

#include "base/result.h"
#include "vhv/common/boot_params.h"
#include "vhv/common/elf_loader.h"

namespace nestlab {

// The arm64 Image header, Documentation/arch/arm64/booting.rst section 4
// ("Call the kernel image"): code0/code1, text_offset at 8, image_size at
// 16, flags at 24, the magic "ARM\x64" at 56. All little-endian.
inline constexpr uint64_t kArm64HeaderSize = 64;
inline constexpr uint64_t kArm64MagicOffset = 56;
inline constexpr uint64_t kArm64FlagBigEndian = 1u << 0;  // flags bit 0: kernel endianness
// An Image whose text_offset is below this gets 2 MiB more: QEMU keeps its
// boot stub in the first page of RAM (BOOTLOADER_MAX_SIZE).
inline constexpr uint64_t kArm64LowOffsetLimit = 0x1000;

struct Arm64ImageHeader {
  uint64_t text_offset;
  uint64_t image_size;  // 0 in kernels before 3.17: text_offset is then unspecified
  uint64_t flags;
};

// True when the data carries the Image magic at offset 56, or starts with
// "MZ" (the PE/COFF stub of an EFI-capable Image, as Debian's is), so that a
// truncated or foreign PE file is refused instead of run as raw code.
bool looks_like_arm64_image(const uint8_t* data, uint64_t size);

// The ImageKind the highvisor records in BootParams for these bytes.
ImageKind detect_image_kind(const uint8_t* data, uint64_t size);

[[nodiscard]] Result<Arm64ImageHeader, ImageError> parse_arm64_header(const uint8_t* data,
                                                                      uint64_t size);

// One segment: the file at RAM + text_offset (RAM + 2 MiB + text_offset when
// text_offset < 4 KiB; RAM + 0x80000 when image_size is 0), memory for
// max(image_size, file size), entry at its start.
[[nodiscard]] Result<ImagePlan, ImageError> plan_arm64_image(const uint8_t* data, uint64_t size,
                                                             const GuestMemoryMap& map);

// plan_elf, plan_arm64_image or plan_raw, as `kind` says.
[[nodiscard]] Result<ImagePlan, ImageError> plan_image_as(ImageKind kind, const uint8_t* data,
                                                          uint64_t size, const GuestMemoryMap& map);

// The device tree is never larger than this (the lowvisor's buffer), so the
// highvisor can check that it will fit without building it.
inline constexpr uint64_t kGuestFdtMaxSize = 64 * 1024;

struct LinuxBootLayout {
  uint64_t initrd_ipa;  // where the initrd goes (also when there is none)
  uint64_t fdt_ipa;     // where the device tree goes
};

// QEMU's placement for a Linux-style (raw or Image) kernel: the initrd at
// RAM + min(RAM / 2, 128 MiB), or right after the image if that is higher,
// page aligned; the device tree after the initrd, 2 MiB aligned (some arm64
// kernels map the 2 MiB around it early). `usable_end` is the end of what
// they may use: the end of RAM, or the mailbox region below it.
[[nodiscard]] Result<LinuxBootLayout, ImageError> plan_linux_boot(const ImagePlan& image,
                                                                  const GuestMemoryMap& map,
                                                                  uint64_t usable_end,
                                                                  uint64_t initrd_size,
                                                                  uint64_t fdt_size);

}  // namespace nestlab
