#include "console/line_prefixer.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

TEST(LinePrefixerTest, PrefixesWholeLinesOnly) {
  LinePrefixer p("[vhv-1] ");
  EXPECT_EQ(p.feed("hel"), "");
  EXPECT_EQ(p.feed("lo\nwor"), "[vhv-1] hello\n");
  EXPECT_EQ(p.feed("ld\n\n"), "[vhv-1] world\n[vhv-1] \n");
  EXPECT_EQ(p.flush(), "");
}

TEST(LinePrefixerTest, FlushEndsAPartialLine) {
  LinePrefixer p("> ");
  EXPECT_EQ(p.feed("bye"), "");
  EXPECT_EQ(p.flush(), "> bye\n");
  EXPECT_EQ(p.flush(), "");
}

}  // namespace
}  // namespace nestlab::cli
