#include "vhv/common/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace nestlab {
namespace {

// The formats below are literals at every call site; forwarding one is
// what -Wformat-security cannot see through.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-security"
template <typename... Args>
std::string fmt(const char* f, Args... args) {
  char buf[256];
  size_t n = format(buf, sizeof(buf), f, args...);
  EXPECT_EQ(n, std::string(buf).size());
  return buf;
}
#pragma GCC diagnostic pop

TEST(Format, Conversions) {
  EXPECT_EQ(fmt("a%sb", "xyz"), "axyzb");
  EXPECT_EQ(fmt("%c%c", 'h', 'i'), "hi");
  EXPECT_EQ(fmt("%d %d %d", 0, -42, 2147483647), "0 -42 2147483647");
  EXPECT_EQ(fmt("%u", 4294967295u), "4294967295");
  EXPECT_EQ(fmt("%x %X", 0xbeefu, 0xbeefu), "beef BEEF");
  EXPECT_EQ(fmt("%lx", 0x4000'0000'1234ul), "400000001234");
  EXPECT_EQ(fmt("%llx", 0xffff'ffff'ffff'ffffull), "ffffffffffffffff");
  EXPECT_EQ(fmt("%lu %ld", 18446744073709551615ul, -9223372036854775807l - 1),
            "18446744073709551615 -9223372036854775808");
  EXPECT_EQ(fmt("%zu", sizeof(uint64_t)), "8");
  EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0x40080000)), "0x40080000");
  EXPECT_EQ(fmt("100%%"), "100%");
}

TEST(Format, Widths) {
  EXPECT_EQ(fmt("%08x", 0x1234u), "00001234");
  EXPECT_EQ(fmt("%016llx", 0xabcull), "0000000000000abc");
  EXPECT_EQ(fmt("%4d|", 7), "   7|");
  EXPECT_EQ(fmt("%-4d|", 7), "7   |");
  EXPECT_EQ(fmt("%05d", -42), "-0042");
  EXPECT_EQ(fmt("%-6s|", "ab"), "ab    |");
  EXPECT_EQ(fmt("%2x", 0x12345u), "12345");  // width is a minimum
}

TEST(Format, TruncatesAndTerminates) {
  char buf[6];
  EXPECT_EQ(format(buf, sizeof(buf), "hello world %d", 5), 5u);
  EXPECT_STREQ(buf, "hello");
  char one[1] = {'x'};
  EXPECT_EQ(format(one, 1, "abc"), 0u);
  EXPECT_EQ(one[0], '\0');
  EXPECT_EQ(format(nullptr, 0, "abc"), 0u);
}

TEST(Format, NullStringAndUnknownConversion) {
  EXPECT_EQ(fmt("%s", static_cast<const char*>(nullptr)), "(null)");
  EXPECT_EQ(fmt("%q"), "%q");
}

}  // namespace
}  // namespace nestlab
