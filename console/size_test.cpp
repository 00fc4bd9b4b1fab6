#include "console/size.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

uint64_t ok(const char* text) {
  auto r = parse_size(text);
  EXPECT_TRUE(r.is_ok()) << text << ": " << (r.is_error() ? r.error().message : "");
  return r.is_ok() ? r.value() : 0;
}

TEST(SizeTest, SuffixesArePowersOf1024) {
  EXPECT_EQ(ok("512K"), 512u * 1024);
  EXPECT_EQ(ok("256M"), 256u << 20);
  EXPECT_EQ(ok("1G"), 1ull << 30);
  EXPECT_EQ(ok("2T"), 2ull << 40);
  EXPECT_EQ(ok("4096B"), 4096u);
}

TEST(SizeTest, PlainNumberIsMiBLikeQemu) { EXPECT_EQ(ok("128"), 128u << 20); }

TEST(SizeTest, AcceptsCaseAndLongSuffixes) {
  EXPECT_EQ(ok("256m"), 256u << 20);
  EXPECT_EQ(ok("256MB"), 256u << 20);
  EXPECT_EQ(ok("256MiB"), 256u << 20);
  EXPECT_EQ(ok("1gib"), 1ull << 30);
}

TEST(SizeTest, ExactFractions) {
  EXPECT_EQ(ok("1.5G"), 3ull << 29);
  EXPECT_EQ(ok("0.5M"), 512u * 1024);
}

TEST(SizeTest, RefusesNonsense) {
  for (const char* bad :
       {"", "M", "abc", "12X", "0", "-5", "1.5B", "12 M", "1..5G", "99999999999999999999999T"}) {
    auto r = parse_size(bad);
    ASSERT_TRUE(r.is_error()) << "'" << bad << "' was accepted";
    EXPECT_NE(r.error().message.find("invalid size '" + std::string(bad) + "'"), std::string::npos);
  }
}

TEST(SizeTest, FormatsShortestExactUnit) {
  EXPECT_EQ(format_size(128u << 20), "128M");
  EXPECT_EQ(format_size(1ull << 30), "1G");
  EXPECT_EQ(format_size(3ull << 29), "1.5G");
  EXPECT_EQ(format_size(512u * 1024), "512K");
  EXPECT_EQ(format_size(1000), "1000B");
}

}  // namespace
}  // namespace nestlab::cli
