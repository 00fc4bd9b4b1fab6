#include "kernel/limits.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace nestlab::kernel {
namespace {

TEST(Limits, EveryBoundHasANameAndADefault) {
  Limits l;
  EXPECT_EQ(limit_table().size(), 10u);
  for (const auto& info : limit_table()) {
    EXPECT_GT(l.*(info.member), 0u) << info.name;
    EXPECT_EQ(limit_value(l, info.name), l.*(info.member));
  }
}

TEST(Limits, SetByNameWithSuffixesForBytes) {
  Limits l;
  ASSERT_TRUE(set_limit(l, "connections=8").is_ok());
  EXPECT_EQ(l.connections, 8u);
  ASSERT_TRUE(set_limit(l, "queued-output=2M").is_ok());
  EXPECT_EQ(l.queued_output, 2u << 20);
  ASSERT_TRUE(set_limit(l, "console-disk=64K").is_ok());
  EXPECT_EQ(l.console_disk, 64u << 10);
  for (const char* bad : {"connections=0", "connections=-1", "connections=2K",
                          "connections=", "connections", "conections=4", "vhvs=1.5"}) {
    auto r = set_limit(l, bad);
    EXPECT_TRUE(r.is_error()) << bad;
  }
  auto unknown = set_limit(l, "conections=4");
  EXPECT_NE(unknown.error().message.find("known: connections"), std::string::npos);
}

TEST(Limits, EnvironmentNamesEachBound) {
  ::setenv("NESTLAB_LIMIT_TRACE_FOLLOWERS", "3", 1);
  ::setenv("NESTLAB_LIMIT_RECEIVED_FDS", "20", 1);
  Limits l;
  ASSERT_TRUE(limits_from_env(l).is_ok());
  EXPECT_EQ(l.trace_followers, 3u);
  EXPECT_EQ(l.received_fds, 20u);
  ::setenv("NESTLAB_LIMIT_VHVS", "none", 1);
  auto bad = limits_from_env(l);
  ASSERT_TRUE(bad.is_error());
  EXPECT_NE(bad.error().message.find("NESTLAB_LIMIT_VHVS"), std::string::npos);
  ::unsetenv("NESTLAB_LIMIT_TRACE_FOLLOWERS");
  ::unsetenv("NESTLAB_LIMIT_RECEIVED_FDS");
  ::unsetenv("NESTLAB_LIMIT_VHVS");
}

TEST(Limits, TheErrorNamesTheBoundAndHowToRaiseIt) {
  Error e = limit_reached("connections", 64, 1000, "64 connections open").error;
  EXPECT_EQ(e.code, ErrorCode::LimitReached);
  EXPECT_NE(e.message.find("uid 1000"), std::string::npos);
  EXPECT_NE(e.message.find("\"connections\" (64)"), std::string::npos);
  EXPECT_NE(e.message.find("--limit connections=N"), std::string::npos);
  EXPECT_STREQ(error_code_name(e.code), "limit-reached");
}

}  // namespace
}  // namespace nestlab::kernel
