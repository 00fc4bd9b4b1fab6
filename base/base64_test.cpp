#include "base/base64.h"

#include <gtest/gtest.h>

namespace nestlab {
namespace {

std::string decode(std::string_view text) {
  auto r = base64_decode(text);
  EXPECT_TRUE(r.is_ok()) << text;
  return r.is_ok() ? r.value() : "(error)";
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  EXPECT_EQ(decode(""), "");
  EXPECT_EQ(decode("Zg=="), "f");
  EXPECT_EQ(decode("Zm8="), "fo");
  EXPECT_EQ(decode("Zm9v"), "foo");
  EXPECT_EQ(decode("Zm9vYg=="), "foob");
  EXPECT_EQ(decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, PaddingOptionalWhitespaceIgnored) {
  EXPECT_EQ(decode("Zm9vYg"), "foob");
  EXPECT_EQ(decode("Zm9v\nYmFy\n"), "foobar");
}

TEST(Base64Test, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len < all.size(); len += 37)
    EXPECT_EQ(decode(base64_encode(all.substr(0, len))), all.substr(0, len));
}

TEST(Base64Test, RefusesGarbage) {
  EXPECT_TRUE(base64_decode("Zm9v!").is_error());
  EXPECT_TRUE(base64_decode("Z").is_error());         // 6 bits cannot be a byte.
  EXPECT_TRUE(base64_decode("Zg==Zg==").is_error());  // Data after padding.
  EXPECT_TRUE(base64_decode("-_8=").is_error());      // URL-safe alphabet is not ours.
}

}  // namespace
}  // namespace nestlab
