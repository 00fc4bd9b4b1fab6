#include "vhv/common/elf_loader.h"
#include "vhv/common/image_error_text.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace nestlab {
namespace {

const GuestMemoryMap kMap{0x4000'0000, 128ull << 20};

struct Phdr {
  uint32_t type = 1, flags = 5;
  uint64_t offset = 0x1000, vaddr = 0, paddr = 0x4008'0000, filesz = 0x100, memsz = 0x200;
};

// A hand-built ELF64 image: header, program headers, then zero padding.
class ElfBuilder {
 public:
  ElfBuilder() { m_phdrs.push_back(Phdr{}); }
  std::vector<uint8_t> build() const {
    std::vector<uint8_t> f(m_size, 0);
    const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', m_class, m_data, 1, 0};
    std::memcpy(f.data(), ident, 16);
    put(f, 16, m_type, 2);
    put(f, 18, m_machine, 2);
    put(f, 20, 1, 4);
    put(f, 24, m_entry, 8);
    put(f, 32, 64, 8);  // e_phoff
    put(f, 52, 64, 2);
    put(f, 54, m_phentsize, 2);
    put(f, 56, m_phnum_override ? m_phnum_override : m_phdrs.size(), 2);
    for (size_t i = 0; i < m_phdrs.size(); ++i) {
      size_t o = 64 + i * 56;
      const Phdr& p = m_phdrs[i];
      put(f, o, p.type, 4);
      put(f, o + 4, p.flags, 4);
      put(f, o + 8, p.offset, 8);
      put(f, o + 16, p.vaddr ? p.vaddr : p.paddr, 8);
      put(f, o + 24, p.paddr, 8);
      put(f, o + 32, p.filesz, 8);
      put(f, o + 40, p.memsz, 8);
    }
    return f;
  }
  static void put(std::vector<uint8_t>& f, size_t o, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) f.at(o + i) = uint8_t(v >> (8 * i));
  }

  uint8_t m_class = 2, m_data = 1;
  uint16_t m_type = 2, m_machine = 183, m_phentsize = 56;
  uint64_t m_entry = 0x4008'0000;
  size_t m_phnum_override = 0;
  size_t m_size = 0x2000;
  std::vector<Phdr> m_phdrs;
};

ImageError expect_error(const std::vector<uint8_t>& f, ImageErrorKind kind) {
  auto r = plan_image(f.data(), f.size(), kMap);
  EXPECT_TRUE(r.is_error());
  if (r.is_ok()) return {};
  EXPECT_EQ(r.error().kind, kind) << image_error_kind_name(r.error().kind);
  return r.error();
}

TEST(ElfLoader, PlansAValidImage) {
  ElfBuilder b;
  b.m_phdrs.push_back(Phdr{1, 6, 0x1800, 0, 0x4009'0000, 0x10, 0x1000});
  b.m_phdrs.push_back(Phdr{4, 4, 0, 0, 0, 0x20, 0x20});  // PT_NOTE is skipped
  auto f = b.build();
  auto r = plan_elf(f.data(), f.size(), kMap);
  ASSERT_TRUE(r.is_ok()) << describe(r.error());
  const ImagePlan& p = r.value();
  EXPECT_EQ(p.entry, 0x4008'0000u);
  ASSERT_EQ(p.segment_count, 2u);
  EXPECT_EQ(p.segments[0].ipa, 0x4008'0000u);
  EXPECT_EQ(p.segments[0].file_offset, 0x1000u);
  EXPECT_EQ(p.segments[0].file_size, 0x100u);
  EXPECT_EQ(p.segments[0].mem_size, 0x200u);
  EXPECT_EQ(p.segments[1].flags, 6u);
  EXPECT_EQ(p.lowest_ipa, 0x4008'0000u);
  EXPECT_EQ(p.highest_ipa, 0x4009'1000u);
}

TEST(ElfLoader, RawImagesLoadAtTheKernelOffset) {
  const uint8_t raw[] = {0x1f, 0x20, 0x03, 0xd5};
  auto r = plan_image(raw, sizeof(raw), kMap);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value().entry, 0x4008'0000u);
  EXPECT_EQ(r.value().segments[0].file_size, 4u);
  auto big = plan_raw(128ull << 20, kMap);
  ASSERT_TRUE(big.is_error());
  EXPECT_EQ(big.error().kind, ImageErrorKind::TooLargeForRam);
  EXPECT_NE(describe(big.error()).find("more memory"), std::string::npos);
}

TEST(ElfLoader, EmptyAndTooSmall) {
  expect_error({}, ImageErrorKind::Empty);
  auto e = expect_error({0x7f, 'E', 'L', 'F', 2, 1}, ImageErrorKind::TooSmall);
  EXPECT_NE(describe(e).find("truncated"), std::string::npos);
  EXPECT_EQ(plan_elf(reinterpret_cast<const uint8_t*>("MZ\x90\x00"), 4, kMap).error().kind,
            ImageErrorKind::NotElf);
}

TEST(ElfLoader, IdentProblems) {
  ElfBuilder b;
  b.m_class = 1;
  EXPECT_NE(describe(expect_error(b.build(), ImageErrorKind::Not64Bit)).find("64-bit"),
            std::string::npos);
  b.m_class = 2;
  b.m_data = 2;
  expect_error(b.build(), ImageErrorKind::NotLittleEndian);
}

TEST(ElfLoader, WrongMachineNamesIt) {
  ElfBuilder b;
  b.m_machine = 62;
  auto e = expect_error(b.build(), ImageErrorKind::WrongMachine);
  EXPECT_EQ(e.a, 62u);
  EXPECT_EQ(describe(e),
            "not an ELF file for AArch64: e_machine is 62 (x86-64); build the guest with "
            "aarch64-linux-gnu-gcc");
}

TEST(ElfLoader, NotExecutable) {
  ElfBuilder b;
  b.m_type = 1;
  EXPECT_NE(describe(expect_error(b.build(), ImageErrorKind::NotExecutable)).find("ET_REL"),
            std::string::npos);
}

TEST(ElfLoader, BadHeader) {
  ElfBuilder b;
  b.m_phentsize = 32;
  expect_error(b.build(), ImageErrorKind::BadHeader);
  ElfBuilder c;
  c.m_phnum_override = 1000;  // program headers run past the end of the file
  expect_error(c.build(), ImageErrorKind::BadHeader);
}

TEST(ElfLoader, TooManySegments) {
  ElfBuilder b;
  b.m_phdrs.clear();
  for (int i = 0; i < 20; ++i)
    b.m_phdrs.push_back(Phdr{1, 4, 0x1000, 0, 0x4008'0000 + 0x1000ull * i, 0x10, 0x10});
  auto e = expect_error(b.build(), ImageErrorKind::TooManySegments);
  EXPECT_EQ(e.a, 20u);
  EXPECT_EQ(e.b, 16u);
}

TEST(ElfLoader, SegmentOutsideFile) {
  ElfBuilder b;
  b.m_phdrs[0].filesz = 0x5000;
  b.m_phdrs[0].memsz = 0x5000;
  auto e = expect_error(b.build(), ImageErrorKind::SegmentOutsideFile);
  EXPECT_EQ(e.segment, 0);
  // An offset near 2^64 must not wrap around into the file.
  ElfBuilder c;
  c.m_phdrs[0].offset = ~0ull - 8;
  expect_error(c.build(), ImageErrorKind::SegmentOutsideFile);
}

TEST(ElfLoader, SegmentMemSmallerThanFile) {
  ElfBuilder b;
  b.m_phdrs[0].memsz = 0x10;
  expect_error(b.build(), ImageErrorKind::SegmentMemSmallerThanFile);
}

TEST(ElfLoader, SegmentInDeviceRegionSaysWhereToLink) {
  ElfBuilder b;
  b.m_phdrs.insert(b.m_phdrs.begin(), Phdr{1, 4, 0x1000, 0, 0x4007'0000, 0x10, 0x10});
  b.m_phdrs.push_back(Phdr{1, 6, 0x1000, 0, 0x0900'0000, 0x100, 0x1000});
  auto e = expect_error(b.build(), ImageErrorKind::SegmentInDeviceRegion);
  EXPECT_EQ(e.segment, 2);
  EXPECT_EQ(
      describe(e),
      "segment 2 [0x9000000, 0x9001000) overlaps the device region below 0x40000000 (guest RAM is "
      "[0x40000000, 0x48000000)); link the guest at 0x40000000 or above");
}

TEST(ElfLoader, SegmentOutsideRam) {
  ElfBuilder b;
  b.m_phdrs[0].paddr = 0x47ff'ff00;
  b.m_entry = 0x47ff'ff00;
  auto e = expect_error(b.build(), ImageErrorKind::SegmentOutsideRam);
  EXPECT_EQ(e.b, 0x4800'0100u);
  ElfBuilder wrap;
  wrap.m_phdrs[0].paddr = ~0ull - 0x10;
  expect_error(wrap.build(), ImageErrorKind::SegmentOutsideRam);
}

TEST(ElfLoader, SegmentsOverlap) {
  ElfBuilder b;
  b.m_phdrs.push_back(Phdr{1, 6, 0x1000, 0, 0x4008'0100, 0x10, 0x10});
  auto e = expect_error(b.build(), ImageErrorKind::SegmentsOverlap);
  EXPECT_EQ(e.segment, 1);
  EXPECT_EQ(e.c, 0x4008'0000u);
}

TEST(ElfLoader, EntryOutsideImage) {
  ElfBuilder b;
  b.m_entry = 0x4000'0000;
  auto e = expect_error(b.build(), ImageErrorKind::EntryOutsideImage);
  EXPECT_NE(describe(e).find("0x40000000"), std::string::npos);
}

TEST(ElfLoader, NoLoadableSegments) {
  ElfBuilder b;
  b.m_phdrs[0].type = 4;
  expect_error(b.build(), ImageErrorKind::NoLoadableSegments);
}

TEST(ElfLoader, EveryKindHasASentence) {
  for (int k = 0; k <= int(kLastImageErrorKind); ++k) {
    std::string s = describe(ImageError{ImageErrorKind(k), 1, 1, 2, 3, 4});
    EXPECT_GT(s.size(), 30u) << k;
  }
}

TEST(ElfLoader, DeviceTreePlacement) {
  ImagePlan p{};
  p.segment_count = 1;
  p.segments[0] = LoadSegment{0x4008'0000, 0, 0x1000, 0x1000, 5};
  EXPECT_EQ(place_device_tree(p, kMap, 0x10000), 0x4000'0000u);
  p.segments[0] = LoadSegment{0x4000'0000, 0, 0x1000, 0x1000, 5};
  EXPECT_EQ(place_device_tree(p, kMap, 0x10000), 0x47e0'0000u);
  p.segment_count = 2;
  p.segments[1] = LoadSegment{0x47e0'8000, 0, 0x1000, 0x1000, 5};
  EXPECT_EQ(place_device_tree(p, kMap, 0x10000), 0x47c0'0000u);
  p.segment_count = 1;
  p.segments[0] = LoadSegment{0x4000'0000, 0, 0x1000, 128ull << 20, 5};
  EXPECT_EQ(place_device_tree(p, kMap, 0x10000), 0u);
}

}  // namespace
}  // namespace nestlab
