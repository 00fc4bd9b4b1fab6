#include "vhv/common/fdt_writer.h"

#include <gtest/gtest.h>
#include <libfdt.h>

#include <cstring>
#include <string>

namespace nestlab {
namespace {

TEST(FdtWriter, LibfdtReadsBackEveryPropertyKind) {
  alignas(8) uint8_t buf[1024];
  FdtWriter w(buf, sizeof(buf));
  w.begin_node("");
  w.prop_u32("a32", 0x12345678);
  w.prop_u64("a64", 0x1'0000'0002ull);
  const uint32_t cells[3] = {1, 2, 3};
  w.prop_cells("cells", cells, 3);
  w.prop_string("s", "hello");
  const char* list[] = {"one", "two"};
  w.prop_strings("list", list, 2);
  const uint8_t bytes[5] = {9, 8, 7, 6, 5};
  w.prop_bytes("bytes", bytes, 5);
  w.prop_empty("flag");
  w.begin_node("child@10");
  w.prop_u32("a32", 7);  // same name: the string table entry is shared
  w.end_node();
  w.end_node();
  auto size = w.finish();
  ASSERT_TRUE(size.is_ok());

  ASSERT_EQ(fdt_check_header(buf), 0);
  EXPECT_EQ(fdt_totalsize(buf), size.value());
  int len = 0;
  const auto* p = static_cast<const fdt32_t*>(fdt_getprop(buf, 0, "a32", &len));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(fdt32_to_cpu(*p), 0x12345678u);
  // Properties are only 4-byte aligned: read the 64-bit value bytewise.
  const void* p64 = fdt_getprop(buf, 0, "a64", &len);
  ASSERT_EQ(len, 8);
  fdt64_t raw64;
  std::memcpy(&raw64, p64, 8);
  EXPECT_EQ(fdt64_to_cpu(raw64), 0x1'0000'0002ull);
  const auto* c = static_cast<const fdt32_t*>(fdt_getprop(buf, 0, "cells", &len));
  ASSERT_EQ(len, 12);
  EXPECT_EQ(fdt32_to_cpu(c[2]), 3u);
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(buf, 0, "s", &len)), "hello");
  EXPECT_EQ(fdt_stringlist_count(buf, 0, "list"), 2);
  EXPECT_STREQ(fdt_stringlist_get(buf, 0, "list", 1, &len), "two");
  const auto* b = static_cast<const uint8_t*>(fdt_getprop(buf, 0, "bytes", &len));
  ASSERT_EQ(len, 5);
  EXPECT_EQ(b[4], 5);
  ASSERT_NE(fdt_getprop(buf, 0, "flag", &len), nullptr);
  EXPECT_EQ(len, 0);
  int child = fdt_path_offset(buf, "/child@10");
  ASSERT_GE(child, 0);
  EXPECT_EQ(fdt32_to_cpu(*static_cast<const fdt32_t*>(fdt_getprop(buf, child, "a32", &len))), 7u);
  // "a32" stored once: 3 + 1 (a32) + 4 (a64) + ... ; check via the header.
  std::string strings(reinterpret_cast<const char*>(buf) + fdt_off_dt_strings(buf),
                      fdt_size_dt_strings(buf));
  EXPECT_EQ(strings.find("a32"), strings.rfind("a32"));
}

TEST(FdtWriter, OverflowIsAnErrorNotACorruption) {
  alignas(8) uint8_t buf[128];
  std::memset(buf, 0xee, sizeof(buf));
  FdtWriter w(buf, 100);
  w.begin_node("");
  w.prop_string("bootargs",
                "a string that will not fit in one hundred bytes together with the header");
  w.end_node();
  auto r = w.finish();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error(), FdtError::NoSpace);
  for (size_t i = 100; i < sizeof(buf); ++i) EXPECT_EQ(buf[i], 0xee) << i;
}

TEST(FdtWriter, UnbalancedNodesAreReported) {
  alignas(8) uint8_t buf[256];
  FdtWriter open(buf, sizeof(buf));
  open.begin_node("");
  EXPECT_EQ(open.finish().error(), FdtError::Unbalanced);
  FdtWriter stray(buf, sizeof(buf));
  stray.prop_u32("x", 1);
  EXPECT_EQ(stray.finish().error(), FdtError::PropOutsideNode);
}

}  // namespace
}  // namespace nestlab
