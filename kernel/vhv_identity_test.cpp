#include "kernel/vhv_identity.h"

#include <unistd.h>

#include <gtest/gtest.h>

namespace nestlab::kernel {
namespace {

TEST(VhvIdentity, RangesAreParsedAndChecked) {
  auto r = parse_uid_range("1879048192:65536");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value().base, 0x70000000u);
  EXPECT_EQ(r.value().count, 65536u);
  for (const char* bad : {"", "5", "0:10", "999:10", "2147483647:2", "100000:0", "a:b", "-1:5"})
    EXPECT_TRUE(parse_uid_range(bad).is_error()) << bad;
}

TEST(VhvIdentity, AUidIsNeverOneThatRunsOrHasAName) {
  UidRange range{0x70000000u, 4};
  // Spread by the id number.
  EXPECT_EQ(choose_vhv_uid(range, 2, {}).value(), 0x70000002u);
  EXPECT_EQ(choose_vhv_uid(range, 6, {}).value(), 0x70000002u);
  // Taken ones are skipped, wrapping around the range.
  EXPECT_EQ(choose_vhv_uid(range, 3, {0x70000003u}).value(), 0x70000000u);
  auto full = choose_vhv_uid(range, 0, {0x70000000u, 0x70000001u, 0x70000002u, 0x70000003u});
  ASSERT_TRUE(full.is_error());
  EXPECT_NE(full.error().message.find("no free uid"), std::string::npos);
  // A uid the user database knows (root's) is someone's, not a VHV's.
  EXPECT_TRUE(choose_vhv_uid({0, 1}, 0, {}).is_error());
}

TEST(VhvIdentity, RunningUidsAreSeen) {
  auto running = host_uids_in_use();
  EXPECT_TRUE(running.count(::getuid()));
  EXPECT_TRUE(running.count(::getgid()));
}

}  // namespace
}  // namespace nestlab::kernel
