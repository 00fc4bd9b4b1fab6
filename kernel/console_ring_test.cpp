#include "kernel/console_ring.h"

#include <gtest/gtest.h>

namespace nestlab::kernel {
namespace {

TEST(ConsoleRing, KeepsTheNewestWithinItsBound) {
  ConsoleRing ring(16);
  ring.append(0, "AAAA");
  ring.append(0, "BBBBBBBB");
  ring.append(1, "CCCCCCCC");
  EXPECT_LE(ring.size_bytes(), 16u);
  ASSERT_EQ(ring.chunks().size(), 2u);
  EXPECT_EQ(ring.chunks().front().data, "BBBBBBBB");
  EXPECT_EQ(ring.chunks().back().vm, 1);
  ring.append(0, std::string(40, 'D'));  // one oversized chunk: its tail stays
  ASSERT_EQ(ring.chunks().size(), 1u);
  EXPECT_EQ(ring.chunks().front().data.size(), 16u);
}

}  // namespace
}  // namespace nestlab::kernel
