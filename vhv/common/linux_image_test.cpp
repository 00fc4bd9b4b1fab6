#include "vhv/common/linux_image.h"
#include "vhv/common/image_error_text.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace nestlab {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
const GuestMemoryMap k512M{0x4000'0000, 512 * kMiB};

void put64(std::vector<uint8_t>& f, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// An arm64 Image header as Linux's head.S writes it (booting.rst 4), with
// the EFI "MZ" stub like Debian's kernels, followed by zero padding.
std::vector<uint8_t> image(uint64_t text_offset, uint64_t image_size, uint64_t flags = 0xa,
                           size_t file_size = 4096) {
  std::vector<uint8_t> f(file_size, 0);
  f[0] = 'M';
  f[1] = 'Z';
  put64(f, 8, text_offset);
  put64(f, 16, image_size);
  put64(f, 24, flags);
  std::memcpy(f.data() + 56, "ARM\x64", 4);
  return f;
}

TEST(Arm64Image, HeaderFieldsAreRead) {
  auto f = image(0x80000, 0x1ab'0000, 0xa);
  auto h = parse_arm64_header(f.data(), f.size());
  ASSERT_TRUE(h.is_ok()) << describe(h.error());
  EXPECT_EQ(h.value().text_offset, 0x80000u);
  EXPECT_EQ(h.value().image_size, 0x1ab'0000u);
  EXPECT_EQ(h.value().flags, 0xau);
}

TEST(Arm64Image, RecognisedByMagicOrPeStub) {
  auto f = image(0, 0x10000);
  EXPECT_EQ(detect_image_kind(f.data(), f.size()), ImageKind::Arm64Image);
  f[0] = 0x1f;  // no PE stub: the magic alone is enough (kernels without EFI)
  EXPECT_EQ(detect_image_kind(f.data(), f.size()), ImageKind::Arm64Image);
  const uint8_t nop[] = {0x1f, 0x20, 0x03, 0xd5};
  EXPECT_EQ(detect_image_kind(nop, sizeof nop), ImageKind::Raw);
  const uint8_t elf[] = {0x7f, 'E', 'L', 'F'};
  EXPECT_EQ(detect_image_kind(elf, sizeof elf), ImageKind::Elf);
}

// Debian 12's cloud kernel: text_offset 0, so QEMU (and we) load it 2 MiB
// into RAM, above the page QEMU keeps for its boot stub.
TEST(Arm64Image, LowTextOffsetLoadsTwoMiBUp) {
  auto f = image(0, 0x1ab'0000);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_ok()) << describe(p.error());
  EXPECT_EQ(p.value().entry, 0x4020'0000u);
  ASSERT_EQ(p.value().segment_count, 1u);
  EXPECT_EQ(p.value().segments[0].ipa, 0x4020'0000u);
  EXPECT_EQ(p.value().segments[0].file_size, 4096u);
  EXPECT_EQ(p.value().segments[0].mem_size, 0x1ab'0000u);  // room for image_size (BSS)
  EXPECT_EQ(p.value().highest_ipa, 0x4020'0000u + 0x1ab'0000u);
}

TEST(Arm64Image, TextOffsetIsHonoured) {
  auto f = image(0x80000, 0x20'0000);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_ok()) << describe(p.error());
  EXPECT_EQ(p.value().entry, 0x4008'0000u);
}

// Kernels before 3.17 leave image_size 0: load at the old fixed offset,
// sized by the file.
TEST(Arm64Image, ZeroImageSizeUsesTheFileAtTheOldOffset) {
  auto f = image(0x12345, 0, 0);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_ok()) << describe(p.error());
  EXPECT_EQ(p.value().entry, 0x4008'0000u);
  EXPECT_EQ(p.value().segments[0].mem_size, 4096u);
}

TEST(Arm64Image, TruncatedHeaderIsRefused) {
  auto f = image(0, 0x10000);
  auto p = plan_image(f.data(), 40, k512M);
  ASSERT_TRUE(p.is_error());
  EXPECT_EQ(p.error().kind, ImageErrorKind::Arm64HeaderTruncated);
  EXPECT_NE(describe(p.error()).find("truncated: 40 bytes"), std::string::npos);
}

TEST(Arm64Image, PeFileWithoutTheMagicIsRefused) {
  auto f = image(0, 0x10000);
  std::memcpy(f.data() + 56, "PE\0\0", 4);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_error());
  EXPECT_EQ(p.error().kind, ImageErrorKind::NotArm64Image);
  EXPECT_NE(describe(p.error()).find("no arm64 Image magic"), std::string::npos);
}

TEST(Arm64Image, BigEndianKernelIsRefused) {
  auto f = image(0, 0x10000, 0xb);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_error());
  EXPECT_EQ(p.error().kind, ImageErrorKind::Arm64BigEndian);
}

TEST(Arm64Image, ImageSizeLargerThanRamIsRefused) {
  auto f = image(0, 600 * kMiB);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_error());
  EXPECT_EQ(p.error().kind, ImageErrorKind::Arm64ImageTooLargeForRam);
  EXPECT_NE(describe(p.error()).find("give the VM more memory"), std::string::npos);
  // Exactly what is left after the 2 MiB offset still fits.
  auto fits = image(0, 510 * kMiB);
  EXPECT_TRUE(plan_image(fits.data(), fits.size(), k512M).is_ok());
  auto text_offset_past_ram = image(1ull << 40, 0x10000);
  EXPECT_TRUE(plan_image(text_offset_past_ram.data(), 4096, k512M).is_error());
}

TEST(LinuxBoot, InitrdAndTreeGoWhereQemuPutsThem) {
  auto f = image(0, 0x1ab'0000);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_ok());
  const uint64_t end = k512M.ram_ipa + k512M.ram_size;
  auto b = plan_linux_boot(p.value(), k512M, end, 0x1c'3200, kGuestFdtMaxSize);
  ASSERT_TRUE(b.is_ok()) << describe(b.error());
  // RAM + min(RAM / 2, 128 MiB); the tree 2 MiB-aligned after the initrd.
  EXPECT_EQ(b.value().initrd_ipa, 0x4800'0000u);
  EXPECT_EQ(b.value().fdt_ipa, 0x4820'0000u);
  // No initrd: the tree where the initrd would have started.
  auto none = plan_linux_boot(p.value(), k512M, end, 0, 0x2000);
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(none.value().fdt_ipa, 0x4800'0000u);
  // Small RAM: half of it.
  const GuestMemoryMap small{0x4000'0000, 64 * kMiB};
  auto tiny = image(0, 0x10'0000);
  auto q = plan_image(tiny.data(), tiny.size(), small);
  ASSERT_TRUE(q.is_ok());
  auto s = plan_linux_boot(q.value(), small, small.ram_ipa + small.ram_size, 0x1000, 0x2000);
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(s.value().initrd_ipa, 0x4200'0000u);
}

TEST(LinuxBoot, InitrdNeverOverlapsAnImageReachingPastTheMiddle) {
  const GuestMemoryMap small{0x4000'0000, 64 * kMiB};
  auto f = image(0, 40 * kMiB + 0x123);
  auto p = plan_image(f.data(), f.size(), small);
  ASSERT_TRUE(p.is_ok());
  auto b = plan_linux_boot(p.value(), small, small.ram_ipa + small.ram_size, 0x1000, 0x2000);
  ASSERT_TRUE(b.is_ok()) << describe(b.error());
  EXPECT_EQ(b.value().initrd_ipa, 0x4000'0000u + 42 * kMiB + 0x1000);  // page aligned
  EXPECT_GE(b.value().initrd_ipa, p.value().highest_ipa);
}

TEST(LinuxBoot, InitrdThatDoesNotFitIsRefused) {
  auto f = image(0, 0x1ab'0000);
  auto p = plan_image(f.data(), f.size(), k512M);
  ASSERT_TRUE(p.is_ok());
  const uint64_t end = k512M.ram_ipa + k512M.ram_size;
  auto b = plan_linux_boot(p.value(), k512M, end, 400 * kMiB, kGuestFdtMaxSize);
  ASSERT_TRUE(b.is_error());
  EXPECT_EQ(b.error().kind, ImageErrorKind::InitrdTooLarge);
  EXPECT_EQ(b.error().b, 384 * kMiB);  // room from RAM + 128 MiB to the end
  EXPECT_NE(describe(b.error()).find("the initrd is 419430400 bytes but only 402653184 fit"),
            std::string::npos);
  // Fits exactly, but then the tree has no room.
  auto no_tree = plan_linux_boot(p.value(), k512M, end, 384 * kMiB, kGuestFdtMaxSize);
  ASSERT_TRUE(no_tree.is_error());
  EXPECT_EQ(no_tree.error().kind, ImageErrorKind::NoRoomForDeviceTree);
  // A mailbox region at the top leaves less room: what fitted no longer does.
  const uint64_t almost = 384 * kMiB - 0x8000;
  auto without = plan_linux_boot(p.value(), k512M, end, almost, kGuestFdtMaxSize);
  ASSERT_TRUE(without.is_error());
  EXPECT_EQ(without.error().kind, ImageErrorKind::NoRoomForDeviceTree);
  auto mailbox = plan_linux_boot(p.value(), k512M, end - 0x10000, almost, kGuestFdtMaxSize);
  ASSERT_TRUE(mailbox.is_error());
  EXPECT_EQ(mailbox.error().kind, ImageErrorKind::InitrdTooLarge);
}

}  // namespace
}  // namespace nestlab
