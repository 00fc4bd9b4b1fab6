#include "console/lab/placeholders.h"

#include <gtest/gtest.h>

#include "console/lab/pattern.h"

namespace nestlab::lab {
namespace {

TEST(Placeholders, ExpandsThePlatformFactsOfTheRun) {
  Placeholders p{"0123456789abcdef", "a3c5000", "96", "0f1e2d3c-0000-4000-8000-000000000001"};
  EXPECT_EQ(expand_placeholders("uart@{pl011} {mem_mib} MiB {uuid}", p),
            "uart@a3c5000 96 MiB 0f1e2d3c-0000-4000-8000-000000000001");
  EXPECT_TRUE(check_placeholder_names("{pl011}{mem_mib}{uuid}[0-9a-f]{8}x{2,3}").is_ok());
  EXPECT_TRUE(check_placeholder_names("{pl012}").is_error());
}

TEST(Placeholders, ExpandsNonceOnly) {
  Placeholders p{"0123456789abcdef", "", "", ""};
  EXPECT_EQ(expand_placeholders("nonce={nonce} x{3} {", p), "nonce=0123456789abcdef x{3} {");
  EXPECT_EQ(expand_placeholders("{nonce}{nonce}", p), "0123456789abcdef0123456789abcdef");
}

TEST(Placeholders, UnknownNameIsAnError) {
  EXPECT_TRUE(check_placeholder_names("nonce: {nonce}").is_ok());
  EXPECT_TRUE(check_placeholder_names("a{2,3} { } {}").is_ok());
  auto r = check_placeholder_names("nonce: {nonse}");
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("unknown placeholder {nonse}"), std::string::npos);
}

TEST(Placeholders, Escapes) {
  EXPECT_EQ(decode_escapes("ticks\\r").value(), "ticks\r");
  EXPECT_EQ(decode_escapes("a\\tb\\nc\\\\d\\e\\x03").value(), "a\tb\nc\\d\x1b\x03");
  EXPECT_EQ(decode_escapes("plain\r").value(), "plain\r");  // TOML already decoded it
  EXPECT_TRUE(decode_escapes("bad\\q").is_error());
  EXPECT_TRUE(decode_escapes("end\\").is_error());
  EXPECT_TRUE(decode_escapes("\\x4").is_error());
}

TEST(Placeholders, FreshHexIsHexOfTheRightLengthAndVaries) {
  std::string a = fresh_hex(32), b = fresh_hex(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(fresh_hex(16).size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(Pattern, LiteralAndRegexFromACursor) {
  std::string text = "boot\nvalue: 42\nvalue: 43\n";
  auto m = find_pattern(text, 0, "value: ", false);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, 5u);
  auto n = find_pattern(text, m->end, "value: [0-9]+", true);
  ASSERT_TRUE(n);
  EXPECT_EQ(text.substr(n->begin, n->end - n->begin), "value: 43");
  EXPECT_FALSE(find_pattern(text, n->end, "value", false));
  EXPECT_TRUE(check_regex("a(b").is_error());
}

// A guest can print anything: a line of a million digits must neither
// overflow the stack in std::regex nor hide a match on a later line.
TEST(Pattern, RegexOverAMillionDigitLineDoesNotOverflowTheStack) {
  std::string text = "start\n" + std::string(1'000'000, '7') + "\nvalue: 42\n";
  auto m = find_pattern(text, 0, "value: [0-9]+", true);
  ASSERT_TRUE(m);
  EXPECT_EQ(text.substr(m->begin, m->end - m->begin), "value: 42");
  auto digits = find_pattern(text, 6, "[0-9]+", true);  // the long line itself is skipped
  ASSERT_TRUE(digits);
  EXPECT_EQ(text.substr(digits->begin, digits->end - digits->begin), "42");
  EXPECT_FALSE(find_pattern(std::string(1'000'000, '7'), 0, "(7|8)+x", true));
  // Up to the bound a line is matched as before, also without a final newline.
  std::string line(kMaxRegexLine - 3, '5');
  auto whole = find_pattern("n: " + line, 0, "n: [0-9]+", true);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->end, kMaxRegexLine);
}

}  // namespace
}  // namespace nestlab::lab
