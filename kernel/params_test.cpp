#include "kernel/params.h"

#include <gtest/gtest.h>

#include "kernel/names.h"

namespace nestlab::kernel {
namespace {

using nlohmann::json;

TEST(Params, ChecksTypesAndRanges) {
  json j{{"mem", 100}, {"name", "a"}, {"neg", -1}, {"f", 1.5}, {"b", "yes"}};
  Params p(j, {"mem", "name", "neg", "f", "b"});
  EXPECT_TRUE(p.check_unknown().is_ok());
  auto mem = p.optional_uint("mem", 0, 1000);
  ASSERT_TRUE(mem.is_ok());
  EXPECT_EQ(*mem.value(), 100u);
  EXPECT_TRUE(p.optional_uint("mem", 200, 1000).is_error());
  EXPECT_TRUE(p.optional_uint("neg", 0, 10).is_error());
  EXPECT_TRUE(p.optional_uint("f", 0, 10).is_error());
  EXPECT_TRUE(p.optional_uint("name", 0, 10).is_error());
  EXPECT_TRUE(p.optional_bool("b").is_error());
  EXPECT_FALSE(p.optional_uint("absent", 0, 10).value().has_value());
  auto missing = p.string("absent");
  ASSERT_TRUE(missing.is_error());
  EXPECT_EQ(missing.error().code, ErrorCode::Protocol);
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos);
}

TEST(Params, RefusesUnknownNames) {
  json j{{"memory", 1}};
  auto r = Params(j, {"mem"}).check_unknown();
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("memory"), std::string::npos);
}

TEST(Names, Validates) {
  EXPECT_TRUE(validate_vhv_name("lab-1").is_ok());
  EXPECT_TRUE(validate_vhv_name("0").is_ok());
  EXPECT_TRUE(validate_vhv_name(std::string(32, 'a')).is_ok());
  EXPECT_TRUE(validate_vhv_name(std::string(33, 'a')).is_error());
  EXPECT_TRUE(validate_vhv_name("").is_error());
  EXPECT_TRUE(validate_vhv_name("-a").is_error());
  EXPECT_TRUE(validate_vhv_name("Lab").is_error());
  EXPECT_TRUE(validate_vhv_name("a/b").is_error());
  EXPECT_TRUE(validate_vhv_name("a b").is_error());
}

}  // namespace
}  // namespace nestlab::kernel
