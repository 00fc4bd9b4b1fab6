#include "vhv/common/linux_image.h"

#include "vhv/common/layout.h"

namespace nestlab {
namespace {

constexpr uint64_t k2M = 2ull << 20;
constexpr uint64_t kPage = 0x1000;

uint64_t read_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (unsigned i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

bool has_magic(const uint8_t* data, uint64_t size) {
  if (size < kArm64MagicOffset + 4) return false;  // before forming a pointer past the data
  const uint8_t* m = data + kArm64MagicOffset;
  return m[0] == 'A' && m[1] == 'R' && m[2] == 'M' && m[3] == 0x64;
}

bool starts_with_mz(const uint8_t* data, uint64_t size) {
  return size >= 2 && data[0] == 'M' && data[1] == 'Z';
}

}  // namespace

bool looks_like_arm64_image(const uint8_t* data, uint64_t size) {
  return has_magic(data, size) || starts_with_mz(data, size);
}

ImageKind detect_image_kind(const uint8_t* data, uint64_t size) {
  if (size >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F')
    return ImageKind::Elf;
  return looks_like_arm64_image(data, size) ? ImageKind::Arm64Image : ImageKind::Raw;
}

Result<Arm64ImageHeader, ImageError> parse_arm64_header(const uint8_t* data, uint64_t size) {
  if (size == 0) return Err{image_error(ImageErrorKind::Empty)};
  if (size < kArm64HeaderSize)
    return Err{image_error(ImageErrorKind::Arm64HeaderTruncated, size, kArm64HeaderSize)};
  if (!has_magic(data, size)) {
    const uint8_t* m = data + kArm64MagicOffset;
    return Err{image_error(ImageErrorKind::NotArm64Image, uint64_t(m[0]) | uint64_t(m[1]) << 8 |
                                                              uint64_t(m[2]) << 16 |
                                                              uint64_t(m[3]) << 24)};
  }
  Arm64ImageHeader h{read_le64(data + 8), read_le64(data + 16), read_le64(data + 24)};
  // booting.rst: text_offset and flags are only meaningful with a non-zero
  // image_size; such old kernels are little-endian.
  if (h.image_size != 0 && (h.flags & kArm64FlagBigEndian))
    return Err{image_error(ImageErrorKind::Arm64BigEndian, h.flags)};
  return h;
}

Result<ImagePlan, ImageError> plan_arm64_image(const uint8_t* data, uint64_t size,
                                               const GuestMemoryMap& map) {
  Arm64ImageHeader h = TRY(parse_arm64_header(data, size));
  uint64_t offset = layout::kGuestRawImageOffset;
  uint64_t footprint = size;
  if (h.image_size != 0) {
    offset = h.text_offset < kArm64LowOffsetLimit ? h.text_offset + k2M : h.text_offset;
    footprint = h.image_size > size ? h.image_size : size;
  }
  if (offset >= map.ram_size || footprint > map.ram_size - offset)
    return Err{image_error(ImageErrorKind::Arm64ImageTooLargeForRam, footprint, offset, map.ram_ipa,
                           map.ram_ipa + map.ram_size)};
  return single_segment_plan(map.ram_ipa + offset, size, footprint);
}

Result<ImagePlan, ImageError> plan_image_as(ImageKind kind, const uint8_t* data, uint64_t size,
                                            const GuestMemoryMap& map) {
  switch (kind) {
    case ImageKind::Elf: return plan_elf(data, size, map);
    case ImageKind::Arm64Image: return plan_arm64_image(data, size, map);
    case ImageKind::Raw: break;
  }
  return plan_raw(size, map);
}

Result<LinuxBootLayout, ImageError> plan_linux_boot(const ImagePlan& image,
                                                    const GuestMemoryMap& map, uint64_t usable_end,
                                                    uint64_t initrd_size, uint64_t fdt_size) {
  const uint64_t half = map.ram_size / 2 < (128ull << 20) ? map.ram_size / 2 : 128ull << 20;
  uint64_t initrd = map.ram_ipa + half;
  if (image.highest_ipa > initrd) initrd = image.highest_ipa;
  initrd = layout::align_up(initrd, kPage);
  if (initrd > usable_end || initrd_size > usable_end - initrd)
    return Err{image_error(ImageErrorKind::InitrdTooLarge, initrd_size,
                           initrd < usable_end ? usable_end - initrd : 0, initrd, usable_end)};
  const uint64_t fdt = layout::align_up(initrd + initrd_size, k2M);
  if (fdt > usable_end || fdt_size > usable_end - fdt)
    return Err{image_error(ImageErrorKind::NoRoomForDeviceTree, fdt, fdt_size, usable_end)};
  return LinuxBootLayout{initrd, fdt};
}

}  // namespace nestlab
