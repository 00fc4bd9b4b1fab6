#include "vhv/host/byoh/lab_contract.h"

#include <gtest/gtest.h>

#include <cstring>

namespace nestlab::vhv {
namespace {

constexpr uint64_t kMem = 128ull << 20;

void put(std::vector<uint8_t>& f, size_t o, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) f.at(o + i) = uint8_t(v >> (8 * i));
}

// An AArch64 ELF executable with one PT_LOAD of `filesz` bytes (filled with
// 0x11, 0x22, ...) at `addr`, `memsz` in memory, entry `entry`.
std::vector<uint8_t> elf(uint64_t addr, uint64_t filesz, uint64_t memsz, uint64_t entry,
                         uint16_t machine = 183) {
  std::vector<uint8_t> f(0x1000 + filesz, 0);
  const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  std::memcpy(f.data(), ident, 16);
  put(f, 16, 2, 2);  // ET_EXEC
  put(f, 18, machine, 2);
  put(f, 20, 1, 4);
  put(f, 24, entry, 8);
  put(f, 32, 64, 8);
  put(f, 52, 64, 2);
  put(f, 54, 56, 2);
  put(f, 56, 1, 2);
  put(f, 64, 1, 4);  // PT_LOAD
  put(f, 68, 7, 4);
  put(f, 72, 0x1000, 8);
  put(f, 80, addr, 8);
  put(f, 88, addr, 8);
  put(f, 96, filesz, 8);
  put(f, 104, memsz, 8);
  for (uint64_t i = 0; i < filesz; ++i) f[0x1000 + i] = static_cast<uint8_t>(0x11 * (i % 15 + 1));
  return f;
}

TEST(LabContract, GuestsGoIntoSlotsFromRamPlus64MiB) {
  ImageBytes hyp{"hyp.elf", elf(0x4020'0000, 0x3000, 0x8000, 0x4020'0000)};
  std::vector<ImageBytes> guests{{"a.elf", elf(0x4008'0000, 0x100, 0x300000, 0x4008'0040)},
                                 {"b.elf", elf(0x4000'0000, 0x10, 0x10, 0x4000'0000)}};
  auto plan = plan_lab(hyp, guests, kMem);
  ASSERT_TRUE(plan.is_ok()) << plan.error().message;
  EXPECT_EQ(plan.value().hyp.entry, 0x4020'0000u);
  ASSERT_EQ(plan.value().guests.size(), 2u);
  const PlacedGuest& a = plan.value().guests[0];
  EXPECT_EQ(a.pa, 0x4400'0000u);
  EXPECT_EQ(a.load_address, 0x4008'0000u);
  EXPECT_EQ(a.entry, 0x4008'0040u);
  ASSERT_EQ(a.flat.size(), 0x300000u);  // BSS included, zeroed
  EXPECT_EQ(a.flat[0], 0x11);
  EXPECT_EQ(a.flat[1], 0x22);
  EXPECT_EQ(a.flat[0x100], 0);
  // 3 MiB from 0x4400_0000: the next 2 MiB boundary is 0x4440_0000.
  EXPECT_EQ(plan.value().guests[1].pa, 0x4440'0000u);
}

TEST(LabContract, AHypervisorAbove64MiBPushesTheSlotsUp) {
  ImageBytes hyp{"hyp.elf", elf(0x4400'0000, 0x10, 0x250000, 0x4400'0000)};
  std::vector<ImageBytes> guests{{"a.elf", elf(0x4008'0000, 0x10, 0x10, 0x4008'0000)}};
  auto plan = plan_lab(hyp, guests, kMem);
  ASSERT_TRUE(plan.is_ok()) << plan.error().message;
  EXPECT_EQ(plan.value().guests[0].pa, 0x4440'0000u);
}

std::string error_of(const ImageBytes& hyp, std::span<const ImageBytes> guests) {
  auto r = plan_lab(hyp, guests, kMem);
  return r.is_error() ? r.error().message : "(accepted)";
}

TEST(LabContract, BadImagesAreRefusedWithWhatToDo) {
  std::vector<ImageBytes> none;
  ImageBytes text{"notes.txt", std::vector<uint8_t>(100, 'a')};
  EXPECT_NE(
      error_of(text, none).find("the hypervisor image notes.txt cannot run at EL2: not an ELF"),
      std::string::npos)
      << error_of(text, none);

  ImageBytes x86{"x86.elf", elf(0x4020'0000, 0x10, 0x10, 0x4020'0000, 62)};
  EXPECT_NE(error_of(x86, none), "(accepted)");

  ImageBytes outside{"far.elf", elf(0x5000'0000, 0x10, 0x10, 0x5000'0000)};
  EXPECT_NE(error_of(outside, none).find("does not fit"), std::string::npos)
      << error_of(outside, none);

  // Low in RAM is fine alone (as on plain QEMU), not with guests: the tree
  // that describes them needs the first MiB.
  ImageBytes low{"low.elf", elf(0x4008'0000, 0x10, 0x10, 0x4008'0000)};
  EXPECT_EQ(error_of(low, none), "(accepted)");
  std::vector<ImageBytes> one{{"a.elf", elf(0x4008'0000, 0x10, 0x10, 0x4008'0000)}};
  EXPECT_NE(error_of(low, one).find("at or above 0x40100000"), std::string::npos);

  ImageBytes hyp{"hyp.elf", elf(0x4020'0000, 0x10, 0x10, 0x4020'0000)};
  std::vector<ImageBytes> bad_guest{{"g.bin", std::vector<uint8_t>{0x7f, 'E', 'L', 'F', 1}}};
  EXPECT_NE(error_of(hyp, bad_guest).find("guest 0 (g.bin)"), std::string::npos);

  std::vector<ImageBytes> notes{{"notes.txt", std::vector<uint8_t>(300, 'x')}};
  EXPECT_NE(error_of(hyp, notes).find("guest 0 (notes.txt) is not an AArch64 ELF file or a raw"),
            std::string::npos);
  std::vector<ImageBytes> raw{{"g.bin", std::vector<uint8_t>(300, 0x14)}};
  EXPECT_EQ(error_of(hyp, raw), "(accepted)");  // a raw image is a fine guest

  std::vector<ImageBytes> big{{"big.elf", elf(0x4000'0000, 0x10, 100ull << 20, 0x4000'0000)}};
  EXPECT_NE(error_of(hyp, big).find("--mem"), std::string::npos) << error_of(hyp, big);
}

}  // namespace
}  // namespace nestlab::vhv
