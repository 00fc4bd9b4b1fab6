#include "vhv/common/fdt_reader.h"

#include <gtest/gtest.h>

#include <vector>

#include "vhv/common/guest_fdt.h"

namespace nestlab {
namespace {

TEST(FdtReader, FindsTheMemoryNodeOfAGuestTree) {
  std::vector<uint8_t> buf(16384);
  auto size =
      build_guest_fdt(buf.data(), buf.size(), GuestFdtConfig{0x4000'0000, 3ull << 30, 1, "x"});
  ASSERT_TRUE(size.is_ok());
  MemoryRange m{};
  ASSERT_TRUE(fdt_find_memory(buf.data(), buf.size(), &m));
  EXPECT_EQ(m.base, 0x4000'0000u);
  EXPECT_EQ(m.size, 3ull << 30);
}

TEST(FdtReader, RejectsGarbageAndTruncation) {
  std::vector<uint8_t> buf(16384);
  auto size = build_guest_fdt(buf.data(), buf.size(), GuestFdtConfig{0x4000'0000, 1 << 27, 1, ""});
  ASSERT_TRUE(size.is_ok());
  MemoryRange m{};
  EXPECT_FALSE(fdt_find_memory(buf.data(), size.value() - 8, &m));
  buf[0] = 0;
  EXPECT_FALSE(fdt_find_memory(buf.data(), buf.size(), &m));
  std::vector<uint8_t> zeros(64);
  EXPECT_FALSE(fdt_find_memory(zeros.data(), zeros.size(), &m));
}

}  // namespace
}  // namespace nestlab
