#include "kernel/access_groups.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "kernel/options.h"

namespace nestlab::kernel {
namespace {

TEST(AccessGroups, ResolvesNamesAndRefusesUnknownOnes) {
  auto none = resolve_group("");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none.value().has_value());
  auto root = resolve_group("root");
  ASSERT_TRUE(root.is_ok());
  EXPECT_EQ(*root.value(), 0u);
  auto bad = resolve_group("no-such-nestlab-group");
  ASSERT_TRUE(bad.is_error());
  EXPECT_NE(bad.error().message.find("no-such-nestlab-group"), std::string::npos);
}

TEST(AccessGroups, MembershipByPrimaryOrGroupDatabase) {
  EXPECT_TRUE(user_in_group(12345, 777, 777));               // primary gid of the connection
  EXPECT_TRUE(user_in_group(0, 0, 0));                       // root's passwd group
  EXPECT_FALSE(user_in_group(65534, 65534, 0));              // nobody is not in group root
  EXPECT_FALSE(user_in_group(4000000000u, 4000000000u, 0));  // no such user
}

TEST(AccessGroups, OptionsNameTheGroups) {
  char prog[] = "nestlabd", f1[] = "--socket-group", g1[] = "root", f2[] = "--admin-group",
       g2[] = "root";
  char* argv[] = {prog, f1, g1, f2, g2, nullptr};
  auto o = parse_options(5, argv);
  ASSERT_TRUE(o.is_ok()) << o.error().message;
  EXPECT_EQ(o.value().socket_gid, std::optional<gid_t>(0));
  EXPECT_EQ(o.value().admin_gid, std::optional<gid_t>(0));
  char bad[] = "no-such-nestlab-group";
  char* argv2[] = {prog, f2, bad, nullptr};
  auto e = parse_options(3, argv2);
  ASSERT_TRUE(e.is_error());
  EXPECT_NE(e.error().message.find("no such group"), std::string::npos);
}

}  // namespace
}  // namespace nestlab::kernel
