#include "console/args.h"

#include <gtest/gtest.h>

namespace nestlab::cli {
namespace {

constexpr OptionSpec kSpecs[] = {
    {"mem", 'm', TakesValue::Yes, "SIZE", "memory"},
    {"stats", 0, TakesValue::No, "", "stats"},
};

HostResult<ParsedArgs> parse(std::vector<std::string> words) { return parse_args(words, kSpecs); }

std::string error_of(std::vector<std::string> words) {
  auto r = parse(std::move(words));
  return r.is_error() ? r.error().message : "(accepted)";
}

TEST(ArgsTest, LongShortAndInlineValues) {
  for (auto words : std::vector<std::vector<std::string>>{
           {"--mem", "256M"}, {"--mem=256M"}, {"-m", "256M"}, {"-m256M"}}) {
    auto r = parse(words);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value().value("mem"), "256M");
  }
}

TEST(ArgsTest, OptionsMayFollowOperandsAndDoubleDashEndsThem) {
  auto r = parse({"a.elf", "--stats", "--", "--mem"});
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r.value().has("stats"));
  EXPECT_EQ(r.value().operands, (std::vector<std::string>{"a.elf", "--mem"}));
}

TEST(ArgsTest, CommonOptionsEverywhere) {
  auto r = parse({"--json", "--socket", "/tmp/s", "-h"});
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r.value().json());
  EXPECT_TRUE(r.value().help());
  EXPECT_EQ(r.value().value("socket"), "/tmp/s");
}

TEST(ArgsTest, RefusalsNameTheBadWord) {
  EXPECT_EQ(error_of({"--frob"}), "unknown option '--frob'");
  EXPECT_EQ(error_of({"--frob=1"}), "unknown option '--frob'");
  EXPECT_EQ(error_of({"-x"}), "unknown option '-x'");
  EXPECT_EQ(error_of({"--mem"}), "option '--mem' needs a value (SIZE)");
  EXPECT_EQ(error_of({"--stats=yes"}), "option '--stats' does not take a value");
}

TEST(ArgsTest, HelpListsOwnAndCommonOptions) {
  std::string help = format_options_help(kSpecs);
  EXPECT_NE(help.find("-m, --mem SIZE"), std::string::npos);
  EXPECT_NE(help.find("--json"), std::string::npos);
  EXPECT_NE(help.find("-h, --help"), std::string::npos);
}

}  // namespace
}  // namespace nestlab::cli
