#include "console/vm_option.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

TEST(VmOption, TakesTheIdsOfAVhvsSlots) {
  std::string error;
  EXPECT_EQ(parse_vm_option("0", error), 0);
  EXPECT_EQ(parse_vm_option("3", error), 3);
  for (const char* bad : {"4", "9", "-1", "", "abc", "1x", "99999999999999"}) {
    EXPECT_FALSE(parse_vm_option(bad, error).has_value()) << bad;
    EXPECT_NE(error.find("--vm"), std::string::npos);
    EXPECT_NE(error.find("0 to 3"), std::string::npos) << error;
  }
}

TEST(WeightOption, TakesOneToTenThousand) {
  std::string error;
  EXPECT_EQ(parse_weight_option("1", error), 1u);
  EXPECT_EQ(parse_weight_option("10000", error), 10000u);
  for (const char* bad : {"0", "10001", "abc", "", "-3", "2.5"}) {
    EXPECT_FALSE(parse_weight_option(bad, error).has_value()) << bad;
    EXPECT_EQ(error, std::string("--weight: '") + bad + "' is not a weight from 1 to 10000");
  }
}

}  // namespace
}  // namespace nestlab::cli
