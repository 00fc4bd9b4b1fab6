#include "console/escape_key.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

TEST(EscapeKey, ParsesCaretNotationAndSingleCharacters) {
  EXPECT_EQ(parse_escape("^]"), '\x1d');
  EXPECT_EQ(parse_escape("^a"), '\x01');
  EXPECT_EQ(parse_escape("^X"), '\x18');
  EXPECT_EQ(parse_escape("~"), '~');
  EXPECT_EQ(parse_escape("^?"), '\x7f');
  EXPECT_EQ(parse_escape(""), std::nullopt);
  EXPECT_EQ(parse_escape("ab"), std::nullopt);
  EXPECT_EQ(parse_escape("^1"), std::nullopt);
}

TEST(EscapeKey, DescribesKeysTheWayTheyAreTyped) {
  EXPECT_EQ(describe_escape(kDefaultEscape), "^]");
  EXPECT_EQ(describe_escape('\x01'), "^A");
  EXPECT_EQ(describe_escape('~'), "~");
}

TEST(EscapeKey, SplitsTypedInputAtTheEscape) {
  auto s = split_at_escape("ls\r\x1dmore", kDefaultEscape);
  EXPECT_EQ(s.before, "ls\r");
  EXPECT_TRUE(s.escape);
  s = split_at_escape("plain", kDefaultEscape);
  EXPECT_EQ(s.before, "plain");
  EXPECT_FALSE(s.escape);
}

}  // namespace
}  // namespace nestlab::cli
