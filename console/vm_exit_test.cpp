#include "console/vm_exit.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

using nlohmann::json;

VmExit exit_with(const char* reason, int code) {
  return parse_vm_exit(
      {{"vhv", "vhv-1"}, {"vm", 0}, {"reason", reason}, {"code", code}, {"message", "m"}});
}

TEST(VmExitTest, StatusFollowsTheProtocolTable) {
  EXPECT_EQ(exit_status_for(exit_with("poweroff", 0)), 0);
  EXPECT_EQ(exit_status_for(exit_with("poweroff", 7)), 7);
  EXPECT_EQ(exit_status_for(exit_with("poweroff", 0x1ff)), 0xff);  // Low 8 bits of x1.
  EXPECT_EQ(exit_status_for(exit_with("poweroff", 0x100)), 0);
  EXPECT_EQ(exit_status_for(exit_with("fault", 0)), 126);
  EXPECT_EQ(exit_status_for(exit_with("stopped", 0)), 130);
  EXPECT_EQ(exit_status_for(exit_with("vhv-died", 0)), 125);
  EXPECT_EQ(exit_status_for(exit_with("something-new", 0)), 125);
}

TEST(VmExitTest, FaultsAreDescribedPowerOffsAreNot) {
  EXPECT_EQ(describe_abnormal_exit(exit_with("poweroff", 3)), "");
  auto fault =
      parse_vm_exit({{"reason", "fault"}, {"message", "unhandled EC 0x20 at pc 0x40080000"}});
  EXPECT_EQ(describe_abnormal_exit(fault), "guest stopped: unhandled EC 0x20 at pc 0x40080000");
}

TEST(VmExitTest, CountersSortedByCountAndTabulated) {
  auto e = parse_vm_exit(
      {{"reason", "poweroff"}, {"counters", {{"HVC64", 3}, {"DABT_LOW", 120}, {"SYS64", 3}}}});
  ASSERT_EQ(e.counters.size(), 3u);
  EXPECT_EQ(e.counters[0].first, "DABT_LOW");
  EXPECT_EQ(e.counters[1].first, "HVC64");
  EXPECT_EQ(format_counters(e),
            "EXIT CLASS  COUNT\n"
            "DABT_LOW      120\n"
            "HVC64           3\n"
            "SYS64           3\n"
            "total         126\n");
  EXPECT_EQ(counters_json(e), (json{{"DABT_LOW", 120}, {"HVC64", 3}, {"SYS64", 3}}));
}

TEST(VmExitTest, OddJsonDoesNotThrow) {
  auto e = parse_vm_exit({{"reason", 5}, {"code", "x"}, {"counters", {{"A", "many"}, {"B", -1}}}});
  EXPECT_EQ(e.reason, "unknown");
  EXPECT_EQ(e.code, 0);
  EXPECT_TRUE(e.counters.empty());
  EXPECT_EQ(parse_vm_exit(json::array()).reason, "unknown");
}

}  // namespace
}  // namespace nestlab::cli
