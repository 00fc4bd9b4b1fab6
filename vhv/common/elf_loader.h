// Validation and load planning for guest images. Pure logic over a byte
// range: the highvisor calls it to refuse a bad image with a sentence the
// user can act on before anything runs, and the lowvisor calls it again on
// the staged bytes before copying them into guest RAM (never trusting the
// host's check). ELF64 per the System V gABI and the AArch64 ELF ABI
// (IHI 0056); raw images load at RAM + 0x80000 like QEMU's -kernel, arm64
// Linux Images by their header (linux_image.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"

namespace nestlab {

struct GuestMemoryMap {
  uint64_t ram_ipa;
  uint64_t ram_size;
};

enum class ImageErrorKind : uint8_t {
  Empty,                      // size is 0
  TooSmall,                   // a: size, b: bytes needed (64, the ELF header)
  NotElf,                     // a: the first four bytes, little-endian
  Not64Bit,                   // a: EI_CLASS
  NotLittleEndian,            // a: EI_DATA
  WrongMachine,               // a: e_machine
  NotExecutable,              // a: e_type
  BadHeader,                  // a: e_phoff, b: e_phnum, c: e_phentsize, d: image size
  TooManySegments,            // a: loadable segments found, b: the limit
  SegmentOutsideFile,         // segment; a: p_offset, b: p_filesz, c: image size
  SegmentMemSmallerThanFile,  // segment; a: p_filesz, b: p_memsz
  SegmentInDeviceRegion,      // segment; [a, b) the segment, [c, d) guest RAM
  SegmentOutsideRam,          // segment; [a, b) the segment, [c, d) guest RAM
  SegmentsOverlap,            // segment; [a, b) the segment, [c, d) the earlier one it overlaps
  EntryOutsideImage,          // a: e_entry, [b, c) lowest to highest loaded address
  NoLoadableSegments,         // a: e_phnum
  TooLargeForRam,  // a: image size, b: room (RAM minus the 0x80000 offset), [c, d) guest RAM
  // arm64 Linux Image and initrd (linux_image.h).
  Arm64HeaderTruncated,      // a: size, b: bytes needed (64, the Image header)
  NotArm64Image,             // a: the four bytes at offset 56 (little-endian)
  Arm64BigEndian,            // a: the header's flags
  Arm64ImageTooLargeForRam,  // a: bytes the Image needs, b: its load offset, [c, d) guest RAM
  InitrdTooLarge,            // a: initrd size, b: room, c: where it would start, d: usable end
  NoRoomForDeviceTree,       // a: where the tree would start, b: its size, c: usable end
};
inline constexpr ImageErrorKind kLastImageErrorKind = ImageErrorKind::NoRoomForDeviceTree;

struct ImageError {
  ImageErrorKind kind;
  int segment;  // program header index, -1 when not about one segment
  uint64_t a, b, c, d;
};

// An error about the whole image, not one segment.
constexpr ImageError image_error(ImageErrorKind kind, uint64_t a = 0, uint64_t b = 0,
                                 uint64_t c = 0, uint64_t d = 0) {
  return ImageError{kind, -1, a, b, c, d};
}

struct LoadSegment {
  uint64_t ipa, file_offset, file_size, mem_size;
  uint32_t flags;  // p_flags: PF_X 1, PF_W 2, PF_R 4
};

struct ImagePlan {
  static constexpr uint32_t kMaxSegments = 16;
  uint64_t entry;
  uint32_t segment_count;
  LoadSegment segments[kMaxSegments];
  uint64_t lowest_ipa, highest_ipa;  // [lowest, highest) covers every segment's memory
};

// A plan of one segment: `file_size` bytes of the file loaded at `ipa`,
// `mem_size` bytes of memory (the rest zeroed), entry at its start.
constexpr ImagePlan single_segment_plan(uint64_t ipa, uint64_t file_size, uint64_t mem_size) {
  ImagePlan plan{};
  plan.entry = ipa;
  plan.segment_count = 1;
  plan.segments[0] = LoadSegment{ipa, 0, file_size, mem_size, 7};
  plan.lowest_ipa = ipa;
  plan.highest_ipa = ipa + mem_size;
  return plan;
}

inline constexpr uint16_t kElfMachineAArch64 = 183;

[[nodiscard]] Result<ImagePlan, ImageError> plan_elf(const uint8_t* data, uint64_t size,
                                                     const GuestMemoryMap& map);
// One segment holding the whole file at ram_ipa + 0x80000, entry there too.
[[nodiscard]] Result<ImagePlan, ImageError> plan_raw(uint64_t size, const GuestMemoryMap& map);
// ELF if the data starts with "\x7fELF", an arm64 Image if it has the Image
// magic or starts with "MZ" (linux_image.h), else raw.
[[nodiscard]] Result<ImagePlan, ImageError> plan_image(const uint8_t* data, uint64_t size,
                                                       const GuestMemoryMap& map);

// A full sentence saying what is wrong and what to do; returns its length
// (truncated to len - 1, always NUL-terminated when len > 0).
size_t describe_image_error(const ImageError& e, char* buf, size_t len);
const char* image_error_kind_name(ImageErrorKind kind);

// Where the guest's device tree goes: at the RAM base if no segment overlaps
// [ram_ipa, ram_ipa + size), else the highest 2 MiB-aligned address in RAM
// where it fits without touching a segment. 0 when nothing fits.
uint64_t place_device_tree(const ImagePlan& plan, const GuestMemoryMap& map, uint64_t size);

}  // namespace nestlab
