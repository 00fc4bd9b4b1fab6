#include "vhv/common/device_map.h"

#include <gtest/gtest.h>

#include <string>

namespace nestlab::device_map {
namespace {

std::string error_of(const std::string& text) {
  Table t;
  ParseError e;
  if (parse(text.data(), text.size(), &t, &e)) return "ok";
  char buf[200];
  describe(e, buf, sizeof buf);
  return buf;
}

TEST(DeviceMap, ParsesMappingsCommentsAndBlankLines) {
  const std::string text =
      "# nestlab IDs to ours\n\n  NLAB0003\t=  acme,dogwatch-3000  \r\narm,pl011=acme,uart";
  Table t;
  ParseError e;
  ASSERT_TRUE(parse(text.data(), text.size(), &t, &e));
  ASSERT_EQ(t.count, 2u);
  EXPECT_STREQ(t.lookup("NLAB0003"), "acme,dogwatch-3000");
  EXPECT_STREQ(t.lookup("arm,pl011"), "acme,uart");
  EXPECT_EQ(t.lookup("NLAB0001"), nullptr);
  EXPECT_TRUE(parse("", 0, &t, &e));
  EXPECT_EQ(t.count, 0u);
}

TEST(DeviceMap, ErrorsNameTheLineAndTheProblem) {
  EXPECT_EQ(error_of("A = b\nNLAB0003 acme\n"),
            "device map line 2: expected DEVICE_ID = GUEST_ID, found \"NLAB0003 acme\"");
  EXPECT_EQ(error_of("# x\n = acme\n"),
            "device map line 2: an identifier is missing on one side of '='");
  EXPECT_EQ(error_of("NLAB0003 = acme watchdog\n"),
            "device map line 1: identifier \"acme watchdog\" has a character outside letters, "
            "digits and , . _ + -");
  EXPECT_EQ(error_of("A=x\n\nA=y\n"),
            "device map line 3: device \"A\" is already mapped on line 1");
  EXPECT_EQ(error_of("A=" + std::string(64, 'z')).rfind("device map line 1: identifier \"zzzz", 0),
            0u);
  EXPECT_NE(error_of("A=" + std::string(64, 'z')).find("longer than 63 characters"),
            std::string::npos);
  EXPECT_EQ(error_of(std::string("A=b\0", 4)),
            "device map line 1: a NUL byte; the map must be a text file");
  std::string many;
  for (int i = 0; i < 33; ++i) many += "D" + std::to_string(i) + "=g\n";
  EXPECT_EQ(error_of(many), "device map line 33: more than 32 mappings");
  EXPECT_EQ(error_of(std::string(kMaxText + 1, '#')),
            "device map: the file is larger than 8176 bytes");
}

}  // namespace
}  // namespace nestlab::device_map
