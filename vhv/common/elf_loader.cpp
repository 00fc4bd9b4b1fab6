#include "vhv/common/elf_loader.h"

#include "vhv/common/format.h"
#include "vhv/common/layout.h"
#include "vhv/common/linux_image.h"

namespace nestlab {
namespace {

// ELF64 header and program header offsets (System V gABI, "ELF Header" and
// "Program Header"). Read field by field so unaligned input is fine.
constexpr uint64_t kEhdrSize = 64;
constexpr uint64_t kPhdrSize = 56;
constexpr uint32_t kPtLoad = 1;
constexpr uint16_t kEtExec = 2;

uint64_t read_le(const uint8_t* p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

ImageError error(ImageErrorKind kind, int segment = -1, uint64_t a = 0, uint64_t b = 0,
                 uint64_t c = 0, uint64_t d = 0) {
  return ImageError{kind, segment, a, b, c, d};
}

bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) { return a0 < b1 && b0 < a1; }

const char* machine_name(uint64_t m) {
  switch (m) {
    case 3: return "x86";
    case 8: return "MIPS";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "s390";
    case 40: return "32-bit Arm";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    case 258: return "LoongArch";
    default: return "unknown machine";
  }
}

const char* type_name(uint64_t t) {
  switch (t) {
    case 0: return "ET_NONE";
    case 1: return "ET_REL, an object file";
    case 3: return "ET_DYN, a shared object or position-independent executable";
    case 4: return "ET_CORE, a core dump";
    default: return "unknown type";
  }
}

}  // namespace

Result<ImagePlan, ImageError> plan_elf(const uint8_t* data, uint64_t size,
                                       const GuestMemoryMap& map) {
  if (size == 0) return Err{error(ImageErrorKind::Empty)};
  if (size < 4 || data[0] != 0x7f || data[1] != 'E' || data[2] != 'L' || data[3] != 'F')
    return Err{error(ImageErrorKind::NotElf, -1, read_le(data, size < 4 ? unsigned(size) : 4u))};
  if (size < kEhdrSize) return Err{error(ImageErrorKind::TooSmall, -1, size, kEhdrSize)};
  if (data[4] != 2) return Err{error(ImageErrorKind::Not64Bit, -1, data[4])};
  if (data[5] != 1) return Err{error(ImageErrorKind::NotLittleEndian, -1, data[5])};
  uint64_t machine = read_le(data + 18, 2);
  if (machine != kElfMachineAArch64) return Err{error(ImageErrorKind::WrongMachine, -1, machine)};
  uint64_t type = read_le(data + 16, 2);
  if (type != kEtExec) return Err{error(ImageErrorKind::NotExecutable, -1, type)};

  uint64_t entry = read_le(data + 24, 8);
  uint64_t phoff = read_le(data + 32, 8);
  uint64_t phentsize = read_le(data + 54, 2);
  uint64_t phnum = read_le(data + 56, 2);
  if (data[6] != 1 || phentsize != kPhdrSize || phoff > size || phnum > (size - phoff) / kPhdrSize)
    return Err{error(ImageErrorKind::BadHeader, -1, phoff, phnum, phentsize, size)};

  const uint64_t ram_start = map.ram_ipa;
  const uint64_t ram_end = map.ram_ipa + map.ram_size;
  ImagePlan plan{};
  plan.entry = entry;
  plan.lowest_ipa = ~0ull;
  plan.highest_ipa = 0;

  for (uint64_t i = 0; i < phnum; ++i) {
    const uint8_t* ph = data + phoff + i * kPhdrSize;
    if (read_le(ph, 4) != kPtLoad) continue;
    const int index = static_cast<int>(i);
    uint32_t flags = static_cast<uint32_t>(read_le(ph + 4, 4));
    uint64_t offset = read_le(ph + 8, 8);
    // Loaded by physical address, as QEMU's load_elf does for -kernel.
    uint64_t paddr = read_le(ph + 24, 8);
    uint64_t filesz = read_le(ph + 32, 8);
    uint64_t memsz = read_le(ph + 40, 8);
    if (memsz == 0 && filesz == 0) continue;
    if (offset > size || filesz > size - offset)
      return Err{error(ImageErrorKind::SegmentOutsideFile, index, offset, filesz, size)};
    if (memsz < filesz)
      return Err{error(ImageErrorKind::SegmentMemSmallerThanFile, index, filesz, memsz)};
    uint64_t end = paddr + memsz;
    if (end < paddr) end = ~0ull;  // wrapped: certainly outside RAM
    if (paddr < ram_start)
      return Err{
          error(ImageErrorKind::SegmentInDeviceRegion, index, paddr, end, ram_start, ram_end)};
    if (end > ram_end)
      return Err{error(ImageErrorKind::SegmentOutsideRam, index, paddr, end, ram_start, ram_end)};
    for (uint32_t j = 0; j < plan.segment_count; ++j) {
      const LoadSegment& other = plan.segments[j];
      if (overlaps(paddr, end, other.ipa, other.ipa + other.mem_size))
        return Err{error(ImageErrorKind::SegmentsOverlap, index, paddr, end, other.ipa,
                         other.ipa + other.mem_size)};
    }
    if (plan.segment_count == ImagePlan::kMaxSegments) {
      uint32_t total = plan.segment_count;
      for (uint64_t k = i; k < phnum; ++k)
        if (read_le(data + phoff + k * kPhdrSize, 4) == kPtLoad) ++total;
      return Err{error(ImageErrorKind::TooManySegments, -1, total, ImagePlan::kMaxSegments)};
    }
    plan.segments[plan.segment_count++] = LoadSegment{paddr, offset, filesz, memsz, flags};
    if (paddr < plan.lowest_ipa) plan.lowest_ipa = paddr;
    if (end > plan.highest_ipa) plan.highest_ipa = end;
  }
  if (plan.segment_count == 0) return Err{error(ImageErrorKind::NoLoadableSegments, -1, phnum)};
  bool entry_inside = false;
  for (uint32_t j = 0; j < plan.segment_count; ++j) {
    const LoadSegment& s = plan.segments[j];
    if (entry >= s.ipa && entry < s.ipa + s.mem_size) entry_inside = true;
  }
  if (!entry_inside)
    return Err{
        error(ImageErrorKind::EntryOutsideImage, -1, entry, plan.lowest_ipa, plan.highest_ipa)};
  return plan;
}

Result<ImagePlan, ImageError> plan_raw(uint64_t size, const GuestMemoryMap& map) {
  if (size == 0) return Err{error(ImageErrorKind::Empty)};
  const uint64_t offset = layout::kGuestRawImageOffset;
  const uint64_t room = map.ram_size > offset ? map.ram_size - offset : 0;
  if (size > room)
    return Err{error(ImageErrorKind::TooLargeForRam, -1, size, room, map.ram_ipa,
                     map.ram_ipa + map.ram_size)};
  return single_segment_plan(map.ram_ipa + offset, size, size);
}

Result<ImagePlan, ImageError> plan_image(const uint8_t* data, uint64_t size,
                                         const GuestMemoryMap& map) {
  return plan_image_as(detect_image_kind(data, size), data, size, map);
}

const char* image_error_kind_name(ImageErrorKind kind) {
  switch (kind) {
    case ImageErrorKind::Empty: return "Empty";
    case ImageErrorKind::TooSmall: return "TooSmall";
    case ImageErrorKind::NotElf: return "NotElf";
    case ImageErrorKind::Not64Bit: return "Not64Bit";
    case ImageErrorKind::NotLittleEndian: return "NotLittleEndian";
    case ImageErrorKind::WrongMachine: return "WrongMachine";
    case ImageErrorKind::NotExecutable: return "NotExecutable";
    case ImageErrorKind::BadHeader: return "BadHeader";
    case ImageErrorKind::TooManySegments: return "TooManySegments";
    case ImageErrorKind::SegmentOutsideFile: return "SegmentOutsideFile";
    case ImageErrorKind::SegmentMemSmallerThanFile: return "SegmentMemSmallerThanFile";
    case ImageErrorKind::SegmentInDeviceRegion: return "SegmentInDeviceRegion";
    case ImageErrorKind::SegmentOutsideRam: return "SegmentOutsideRam";
    case ImageErrorKind::SegmentsOverlap: return "SegmentsOverlap";
    case ImageErrorKind::EntryOutsideImage: return "EntryOutsideImage";
    case ImageErrorKind::NoLoadableSegments: return "NoLoadableSegments";
    case ImageErrorKind::TooLargeForRam: return "TooLargeForRam";
    case ImageErrorKind::Arm64HeaderTruncated: return "Arm64HeaderTruncated";
    case ImageErrorKind::NotArm64Image: return "NotArm64Image";
    case ImageErrorKind::Arm64BigEndian: return "Arm64BigEndian";
    case ImageErrorKind::Arm64ImageTooLargeForRam: return "Arm64ImageTooLargeForRam";
    case ImageErrorKind::InitrdTooLarge: return "InitrdTooLarge";
    case ImageErrorKind::NoRoomForDeviceTree: return "NoRoomForDeviceTree";
  }
  return "ImageError";
}

size_t describe_image_error(const ImageError& e, char* buf, size_t len) {
  using ull = unsigned long long;
  const ull a = e.a, b = e.b, c = e.c, d = e.d;
  const int s = e.segment;
  switch (e.kind) {
    case ImageErrorKind::Empty:
      return format(buf, len,
                    "the image is empty (0 bytes); give an AArch64 ELF executable or a raw binary");
    case ImageErrorKind::TooSmall:
      return format(
          buf, len,
          "the image is too small to be an ELF file: %llu bytes, an ELF header alone needs %llu; "
          "the file is probably truncated",
          a, b);
    case ImageErrorKind::NotElf:
      return format(buf, len,
                    "not an ELF file (bad magic 0x%08llx); give an AArch64 ELF executable", a);
    case ImageErrorKind::Not64Bit:
      return format(buf, len,
                    "not a 64-bit ELF file (EI_CLASS is %llu); build the guest for AArch64 with "
                    "aarch64-linux-gnu-gcc, not for 32-bit Arm",
                    a);
    case ImageErrorKind::NotLittleEndian:
      return format(buf, len,
                    "not a little-endian ELF file (EI_DATA is %llu); build the guest for "
                    "little-endian AArch64 "
                    "with aarch64-linux-gnu-gcc",
                    a);
    case ImageErrorKind::WrongMachine:
      return format(buf, len,
                    "not an ELF file for AArch64: e_machine is %llu (%s); build the guest with "
                    "aarch64-linux-gnu-gcc",
                    a, machine_name(a));
    case ImageErrorKind::NotExecutable:
      return format(buf, len,
                    "not an executable ELF file: e_type is %llu (%s); link a static executable at "
                    "a fixed address "
                    "(-static -nostdlib -no-pie, e.g. -Ttext=0x40080000)",
                    a, type_name(a));
    case ImageErrorKind::BadHeader:
      return format(
          buf, len,
          "the ELF header is corrupt: program headers at offset %llu, %llu entries of %llu bytes "
          "do not "
          "fit a %llu-byte file with 56-byte entries; the file is probably truncated or damaged",
          a, b, c, d);
    case ImageErrorKind::TooManySegments:
      return format(buf, len,
                    "the ELF file has %llu loadable segments, more than the %llu supported; merge "
                    "sections in the "
                    "linker script",
                    a, b);
    case ImageErrorKind::SegmentOutsideFile:
      return format(buf, len,
                    "segment %d claims %llu bytes at file offset %llu but the file has only %llu "
                    "bytes; the file is "
                    "probably truncated",
                    s, b, a, c);
    case ImageErrorKind::SegmentMemSmallerThanFile:
      return format(
          buf, len,
          "segment %d is corrupt: its memory size %llu is smaller than its file size %llu", s, b,
          a);
    case ImageErrorKind::SegmentInDeviceRegion:
      return format(
          buf, len,
          "segment %d [0x%llx, 0x%llx) overlaps the device region below 0x%llx (guest RAM is "
          "[0x%llx, 0x%llx)); link the guest at 0x%llx or above",
          s, a, b, c, c, d, c);
    case ImageErrorKind::SegmentOutsideRam:
      return format(buf, len,
                    "segment %d [0x%llx, 0x%llx) does not fit in guest RAM [0x%llx, 0x%llx); give "
                    "the VM more "
                    "memory or link the guest lower",
                    s, a, b, c, d);
    case ImageErrorKind::SegmentsOverlap:
      return format(buf, len,
                    "segment %d [0x%llx, 0x%llx) overlaps an earlier segment [0x%llx, 0x%llx); "
                    "check the linker "
                    "script",
                    s, a, b, c, d);
    case ImageErrorKind::EntryOutsideImage:
      return format(buf, len,
                    "the entry point 0x%llx is not inside any loaded segment (the image covers "
                    "[0x%llx, 0x%llx)); "
                    "check ENTRY() in the linker script",
                    a, b, c);
    case ImageErrorKind::NoLoadableSegments:
      return format(
          buf, len,
          "the ELF file has no loadable (PT_LOAD) segments among its %llu program headers", a);
    case ImageErrorKind::TooLargeForRam:
      return format(buf, len,
                    "the raw image is %llu bytes but only %llu fit in guest RAM [0x%llx, 0x%llx) "
                    "after the 0x80000 "
                    "load offset; give the VM more memory",
                    a, b, c, d);
    case ImageErrorKind::Arm64HeaderTruncated:
      return format(buf, len,
                    "the arm64 Image is truncated: %llu bytes, its header alone needs %llu; "
                    "copy the kernel again",
                    a, b);
    case ImageErrorKind::NotArm64Image:
      return format(buf, len,
                    "the file starts like a PE/EFI binary (\"MZ\") but has no arm64 Image magic "
                    "at offset 56 (found 0x%08llx, expected \"ARM\\x64\"); give an AArch64 "
                    "kernel Image (gunzip a vmlinuz first)",
                    a);
    case ImageErrorKind::Arm64BigEndian:
      return format(buf, len,
                    "the arm64 Image is a big-endian kernel (flags 0x%llx, bit 0 set); the guest "
                    "platform is little-endian",
                    a);
    case ImageErrorKind::Arm64ImageTooLargeForRam:
      return format(buf, len,
                    "the arm64 Image needs %llu bytes at offset 0x%llx but guest RAM is [0x%llx, "
                    "0x%llx); give the VM more memory",
                    a, b, c, d);
    case ImageErrorKind::InitrdTooLarge:
      return format(buf, len,
                    "the initrd is %llu bytes but only %llu fit after the kernel (from 0x%llx to "
                    "0x%llx); give the VM more memory or use a smaller initrd",
                    a, b, c, d);
    case ImageErrorKind::NoRoomForDeviceTree:
      return format(buf, len,
                    "no room for the device tree at 0x%llx (%llu bytes) after the kernel and "
                    "initrd, below 0x%llx; give the VM more memory",
                    a, b, c);
  }
  return format(buf, len, "the image is invalid");
}

uint64_t place_device_tree(const ImagePlan& plan, const GuestMemoryMap& map, uint64_t size) {
  auto free_at = [&](uint64_t at) {
    for (uint32_t i = 0; i < plan.segment_count; ++i) {
      const LoadSegment& s = plan.segments[i];
      if (overlaps(at, at + size, s.ipa, s.ipa + s.mem_size)) return false;
    }
    return true;
  };
  if (size == 0 || size > map.ram_size) return 0;
  if (free_at(map.ram_ipa)) return map.ram_ipa;
  constexpr uint64_t kAlign = 2ull << 20;
  uint64_t ram_end = map.ram_ipa + map.ram_size;
  uint64_t at = (ram_end - size) & ~(kAlign - 1);
  for (; at >= map.ram_ipa && at + kAlign > at; at -= kAlign) {
    if (free_at(at)) return at;
    if (at < map.ram_ipa + kAlign) break;
  }
  return 0;
}

}  // namespace nestlab
