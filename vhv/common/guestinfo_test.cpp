#include "vhv/common/guestinfo.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace nestlab::guestinfo {
namespace {

std::unique_ptr<Page> fresh() {
  auto p = std::make_unique<Page>();
  std::memset(p.get(), 0xab, sizeof(Page));  // garbage, as in uninitialised RAM
  format_page(*p);
  return p;
}

Status set_str(Page& p, const std::string& k, const std::string& v) {
  return set(p, k.data(), k.size(), v.data(), v.size());
}

TEST(GuestInfo, SetThenFindThenReplaceThenRemove) {
  auto p = fresh();
  EXPECT_EQ(p->magic, kMagic);
  EXPECT_EQ(find(*p, "color", 5), nullptr);
  ASSERT_EQ(set_str(*p, "color", "blue"), Status::Ok);
  ASSERT_NE(find(*p, "color", 5), nullptr);
  EXPECT_STREQ(find(*p, "color", 5)->value, "blue");
  ASSERT_EQ(set_str(*p, "color", "green"), Status::Ok);
  EXPECT_STREQ(find(*p, "color", 5)->value, "green");
  EXPECT_EQ(find(*p, "colo", 4), nullptr);  // prefixes do not match
  ASSERT_EQ(set_str(*p, "color", ""), Status::Ok);
  EXPECT_EQ(find(*p, "color", 5), nullptr);
  EXPECT_EQ(set_str(*p, "color", ""), Status::NotFound);
}

TEST(GuestInfo, RejectsBadKeysAndLongValues) {
  auto p = fresh();
  EXPECT_EQ(set_str(*p, "", "x"), Status::BadKey);
  EXPECT_EQ(set_str(*p, "a b", "x"), Status::BadKey);
  EXPECT_EQ(set_str(*p, std::string(kMaxKey + 1, 'k'), "x"), Status::BadKey);
  EXPECT_EQ(set_str(*p, std::string(kMaxKey, 'k'), "x"), Status::Ok);
  EXPECT_EQ(set_str(*p, "v", std::string(kMaxValue + 1, 'v')), Status::TooLong);
  EXPECT_EQ(set_str(*p, "v", std::string(kMaxValue, 'v')), Status::Ok);
  EXPECT_EQ(std::strlen(find(*p, "v", 1)->value), kMaxValue);
}

TEST(GuestInfo, FullStoreSaysSo) {
  auto p = fresh();
  for (size_t i = 0; i < kEntries; ++i)
    ASSERT_EQ(set_str(*p, "k" + std::to_string(i), "v"), Status::Ok);
  EXPECT_EQ(set_str(*p, "one-more", "v"), Status::Full);
  EXPECT_EQ(set_str(*p, "k3", "replaced"), Status::Ok);  // replacing needs no slot
  clear(*p);
  EXPECT_EQ(set_str(*p, "one-more", "v"), Status::Ok);
}

TEST(GuestInfo, LockIsBounded) {
  auto p = fresh();
  ASSERT_TRUE(try_lock(*p, 1));
  EXPECT_FALSE(try_lock(*p, 1000));
  unlock(*p);
  EXPECT_TRUE(try_lock(*p, 1));
}

}  // namespace
}  // namespace nestlab::guestinfo
