#include "console/lab/lab_definition.h"
#include "console/lab/trace_match.h"

#include <gtest/gtest.h>

#include <string>

namespace nestlab::lab {
namespace {

constexpr const char* kFile = "labs/09-test/lab.toml";

const char* kGood = R"(id = "09-test"
title = "Test lab"
summary = "For the unit test."
files = ["main.cpp"]

[vm]
mem = "64M"
smp = 2
append = "nonce={nonce}"

[limits]
guest_ms = 3000
wall_cap_s = 60

[[steps]]
name = "uart@9000000"
kind = "mark"
points = 30
fatal = true

[[steps]]
name = "prints the nonce"
kind = "expect"
pattern = "nonce: {nonce}"
points = 20

[[steps]]
name = "answers"
kind = "send"
input = 'help\r'

[[steps]]
name = "hypercalls"
kind = "counter"
class = "HVC64"
min = 1
max = 10
points = 5

[[steps]]
name = "sets a key"
kind = "guestinfo"
key = "lab.answer"
value = "{nonce}"

[[steps]]
name = "exits"
kind = "exit"
code = 7
timeout_guest_ms = 1000
points = 45
)";

// The error for `text`, which must not parse.
std::string error_of(const std::string& text) {
  auto r = parse_lab_definition(text, kFile);
  EXPECT_TRUE(r.is_error()) << "parsed:\n" << text;
  return r.is_error() ? r.error().message : std::string();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(LabDefinition, ParsesEveryField) {
  auto r = parse_lab_definition(kGood, kFile);
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  const LabDefinition& d = r.value();
  EXPECT_EQ(d.id, "09-test");
  EXPECT_EQ(d.title, "Test lab");
  EXPECT_EQ(d.files, std::vector<std::string>{"main.cpp"});
  EXPECT_EQ(d.mem, 64ull << 20);
  EXPECT_EQ(d.smp, 2u);
  EXPECT_EQ(d.append, "nonce={nonce}");
  EXPECT_EQ(d.guest_ms, 3000);
  EXPECT_EQ(d.wall_cap_s, 60);
  ASSERT_EQ(d.steps.size(), 6u);
  EXPECT_EQ(d.steps[0].kind, StepKind::Mark);
  EXPECT_EQ(d.steps[0].mark, "uart@9000000");  // the step's name by default
  EXPECT_TRUE(d.steps[0].fatal);
  EXPECT_EQ(d.steps[1].pattern, "nonce: {nonce}");
  EXPECT_FALSE(d.steps[1].regex);
  EXPECT_EQ(d.steps[2].input, "help\r");  // a literal string's \r is decoded too
  EXPECT_EQ(d.steps[3].exit_class, "HVC64");
  EXPECT_EQ(d.steps[3].min, 1u);
  EXPECT_EQ(d.steps[3].max, 10u);
  EXPECT_EQ(d.steps[4].key, "lab.answer");
  EXPECT_EQ(d.steps[5].code, 7);
  EXPECT_EQ(d.step_timeout_ms(d.steps[5]), 1000);
  EXPECT_EQ(d.step_timeout_ms(d.steps[1]), 3000);
  EXPECT_EQ(d.max_points(), 100);
}

TEST(LabDefinition, UnknownKindNamesFileLineKeyAndTheKnownKinds) {
  std::string e = error_of(replace(kGood, "kind = \"send\"", "kind = \"sned\""));
  EXPECT_NE(e.find("labs/09-test/lab.toml:29: steps[2].kind: unknown kind \"sned\""),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("expect, send, mark, counter, guestinfo, exit, trace"), std::string::npos) << e;
}

TEST(LabDefinition, MissingField) {
  std::string e = error_of(replace(kGood, "pattern = \"nonce: {nonce}\"\n", ""));
  EXPECT_NE(e.find("labs/09-test/lab.toml"), std::string::npos) << e;
  EXPECT_NE(e.find("steps[1].pattern: missing"), std::string::npos) << e;
  e = error_of(replace(kGood, "title = \"Test lab\"\n", ""));
  EXPECT_NE(e.find("title: missing"), std::string::npos) << e;
  e = error_of(replace(kGood, "kind = \"exit\"\n", ""));
  EXPECT_NE(e.find("steps[5].kind: missing"), std::string::npos) << e;
}

TEST(LabDefinition, WrongType) {
  std::string e = error_of(replace(kGood, "points = 20", "points = \"20\""));
  EXPECT_NE(e.find("lab.toml:25: steps[1].points: must be an integer, not a string"),
            std::string::npos)
      << e;
  e = error_of(replace(kGood, "smp = 2", "smp = \"2\""));
  EXPECT_NE(e.find("vm.smp: must be an integer"), std::string::npos) << e;
  e = error_of(replace(kGood, "fatal = true", "fatal = 1"));
  EXPECT_NE(e.find("steps[0].fatal: must be true or false"), std::string::npos) << e;
  e = error_of(replace(kGood, "files = [\"main.cpp\"]", "files = \"main.cpp\""));
  EXPECT_NE(e.find("files: must be an array"), std::string::npos) << e;
}

TEST(LabDefinition, UnknownKeyAnywhere) {
  std::string e = error_of(replace(kGood, "points = 45", "points = 45\ntimeout = 3"));
  EXPECT_NE(e.find("steps[5].timeout: unknown key (known here: name, kind, points, fatal, code, "
                   "timeout_guest_ms)"),
            std::string::npos)
      << e;
  e = error_of(replace(kGood, "smp = 2", "cpus = 2"));
  EXPECT_NE(e.find("vm.cpus: unknown key"), std::string::npos) << e;
  e = error_of(std::string("author = \"me\"\n") + kGood);
  EXPECT_NE(e.find("lab.toml:1: author: unknown key"), std::string::npos) << e;
  // A key valid for another kind is still unknown here.
  e = error_of(replace(kGood, "code = 7", "code = 7\npattern = \"x\""));
  EXPECT_NE(e.find("steps[5].pattern: unknown key"), std::string::npos) << e;
}

TEST(LabDefinition, BadValues) {
  EXPECT_NE(error_of(replace(kGood, "class = \"HVC64\"", "class = \"HVC\""))
                .find("steps[3].class: unknown exit class \"HVC\""),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "max = 10", "max = 0")).find("min 1 is greater than max 0"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "nonce: {nonce}", "nonce: {nonse}"))
                .find("steps[1].pattern: unknown placeholder {nonse}"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "mem = \"64M\"", "mem = \"lots\"")).find("vm.mem: "),
            std::string::npos);
  EXPECT_NE(
      error_of(replace(kGood, "code = 7", "code = 300")).find("steps[5].code: 300 is out of range"),
      std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "name = \"answers\"", "name = \"prints the nonce\""))
                .find("steps[2].name: \"prints the nonce\" is used by an earlier step"),
            std::string::npos);
  EXPECT_NE(
      error_of(replace(kGood, "pattern = \"nonce: {nonce}\"", "pattern = \"(\"\nregex = true"))
          .find("steps[1].pattern: not a valid regular expression"),
      std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "input = 'help\\r'", "input = 'help\\q'"))
                .find("steps[2].input: unknown escape \\q"),
            std::string::npos);
}

// The platform a grade varies, and trace steps over the lowvisor's exit
// records (docs/labs.md, "Varied platform" and "trace").
const char* kVaried = R"(id = "09-varied"
title = "Varied"

[vm]
mem_range = ["32M", "128M"]
pl011 = "random"

[[steps]]
name = "finds the uart"
kind = "mark"
mark = "uart@{pl011}"

[[steps]]
name = "sixteen breakpoints"
kind = "trace"
class = "BRK64"
iss = 1
iss_mask = 0xffff
result = "resume"
min = 16
max = 16

[[steps]]
name = "counter reads"
kind = "trace"
class = "SYS64"
sysreg = "CNTPCT_EL0"
access = "read"
min = 256

[[steps]]
name = "data register writes"
kind = "trace"
class = "DABT_LOW"
access = "write"
detail = 0
min = 16
min_span_ms = 5
)";

TEST(LabDefinition, VariedPlatformAndTraceSteps) {
  auto r = parse_lab_definition(kVaried, kFile);
  ASSERT_TRUE(r.is_ok()) << r.error().message;
  const LabDefinition& d = r.value();
  EXPECT_EQ(d.mem_min, 32ull << 20);
  EXPECT_EQ(d.mem_max, 128ull << 20);
  EXPECT_TRUE(d.random_pl011);
  EXPECT_EQ(d.steps[0].mark, "uart@{pl011}");
  const Step& brk = d.steps[1];
  EXPECT_EQ(brk.kind, StepKind::Trace);
  EXPECT_EQ(*brk.iss, 1u);
  EXPECT_EQ(brk.iss_mask, 0xffffu);
  EXPECT_EQ(brk.result, "resume");
  // S3_3_C14_C0_1, a read: Op0 3, Op2 1, Op1 3, CRn 14, CRm 0, Direction 1.
  EXPECT_EQ(*d.steps[2].iss, 0x32f801u);
  EXPECT_EQ(d.steps[2].iss_mask, 0x3ffc1fu);
  EXPECT_EQ(*d.steps[3].iss, 0x40u);  // WnR
  EXPECT_EQ(d.steps[3].iss_mask, 0x40u);
  EXPECT_EQ(*d.steps[3].detail_lo, 0);
  EXPECT_EQ(*d.steps[3].detail_hi, 0);
  EXPECT_EQ(*d.steps[3].min_span_ms, 5);

  TraceRecord rec{0, 1, 0, "BRK64", 0x40080000, 0x1, 0, "resume"};
  EXPECT_TRUE(trace_matches(brk, rec));
  rec.iss = 0x5658;
  EXPECT_FALSE(trace_matches(brk, rec));
  rec = {0, 2, 0, "SYS64", 0, 0x32f801 | (7u << 5), 0, "advance"};  // any Rt
  EXPECT_TRUE(trace_matches(d.steps[2], rec));
  rec.iss = 0x32f800;  // a write (MSR)
  EXPECT_FALSE(trace_matches(d.steps[2], rec));
  EXPECT_EQ(describe_trace_step(brk),
            "BRK64 exits with ISS 0x1 under mask 0xffff, result "
            "resume: exactly 16");
}

TEST(LabDefinition, BadVariedPlatformAndTraceSteps) {
  EXPECT_NE(error_of(replace(kVaried, "pl011 = \"random\"", "pl011 = \"moved\""))
                .find("vm.pl011: must be \"virt\""),
            std::string::npos);
  EXPECT_NE(error_of(replace(kVaried, "\"128M\"]", "\"127M\"]")).find("vm.mem_range: must be"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kVaried, "uart@{pl011}", "uart@{pl01}"))
                .find("steps[0].mark: unknown placeholder {pl01}"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kVaried, "sysreg = \"CNTPCT_EL0\"", "sysreg = \"CNTPCT\""))
                .find("steps[2].sysreg: \"CNTPCT\" is not a system register"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kVaried, "result = \"resume\"", "result = \"resumed\""))
                .find("steps[1].result: unknown result"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kVaried, "iss = 1\niss_mask = 0xffff\n", "access = \"read\"\n"))
                .find("steps[1].access: must be \"read\" or \"write\", and only for class "
                      "DABT_LOW or SYS64"),
            std::string::npos);
  auto ids = parse_lab_definition(replace(kVaried, "detail = 0", "detail = [0xfe0, 0xffc]"), kFile);
  ASSERT_TRUE(ids.is_ok()) << ids.error().message;
  EXPECT_EQ(*ids.value().steps[3].detail_hi, 0xffc);
  EXPECT_NE(
      error_of(replace(kVaried, "detail = 0", "detail = [3, 1]")).find("steps[3].detail: must"),
      std::string::npos);
  EXPECT_NE(error_of(replace(kVaried, "min = 16\nmax = 16", "")).find("needs min, max or both"),
            std::string::npos);
}

const char* kShare = R"(id = "09-test"
title = "Sharing"
files = ["main.cpp"]

[vm]
weight = 3

[competitor]
weight = 1
append = "seconds=4"

[[steps]]
name = "three quarters"
kind = "share"
min = 64
max = 86
window_ms = 1500
)";

TEST(LabDefinition, ShareStepsAndACompetitor) {
  auto d = parse_lab_definition(kShare, kFile);
  ASSERT_TRUE(d.is_ok()) << d.error().message;
  EXPECT_EQ(d.value().weight, 3u);
  EXPECT_TRUE(d.value().competitor);
  EXPECT_EQ(d.value().competitor_weight, 1u);
  EXPECT_EQ(d.value().competitor_append, "seconds=4");
  const Step& s = d.value().steps[0];
  EXPECT_EQ(s.kind, StepKind::Share);
  EXPECT_EQ(*s.share_min, 64);
  EXPECT_EQ(*s.share_max, 86);
  EXPECT_EQ(s.window_ms, 1500);

  EXPECT_NE(error_of(replace(kShare, "[competitor]\nweight = 1\nappend = \"seconds=4\"\n", ""))
                .find("needs a [competitor]"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kShare, "max = 86", "max = 101")).find("steps[0].max"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kShare, "max = 86", "max = 50")).find("greater than max"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kShare, "min = 64\nmax = 86\n", "")).find("needs min, max"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kShare, "weight = 3", "weight = 0")).find("vm.weight"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kShare, "weight = 1\n", "weight = 1\nsmp = 2\n")).find("competitor"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kShare, "window_ms = 1500", "window_ms = 5")).find("window_ms"),
            std::string::npos);
}

TEST(LabDefinition, NoStepsAndBadToml) {
  std::string e = error_of("id = \"x\"\ntitle = \"t\"\n");
  EXPECT_NE(e.find("steps: missing"), std::string::npos) << e;
  e = error_of("id = \"x\"\ntitle = \"t\n");
  EXPECT_NE(e.find("labs/09-test/lab.toml:2: not valid TOML"), std::string::npos) << e;
  e = error_of("id = \"x\"\ntitle = \"t\"\nsteps = 3\n");
  EXPECT_NE(e.find("steps: must be a non-empty array of tables"), std::string::npos) << e;
}

}  // namespace
}  // namespace nestlab::lab

namespace nestlab::lab {
namespace {

constexpr const char* kHypSteps = R"(
[[steps]]
name = "hello"
kind = "expect"
pattern = "hello {nonce}"
points = 1
)";

TEST(LabDefinition, HypervisorLabNamesItsGradingGuest) {
  auto d = parse_lab_definition(std::string("id = \"hyp-09-x\"\ntitle = \"t\"\nkind = "
                                            "\"hypervisor\"\nguest = \"g.elf\"\n") +
                                    kHypSteps,
                                kFile);
  ASSERT_TRUE(d.is_ok()) << d.error().message;
  EXPECT_EQ(d.value().kind, LabKind::Hypervisor);
  EXPECT_EQ(d.value().guest, "g.elf");

  auto plain =
      parse_lab_definition(std::string("id = \"09-x\"\ntitle = \"t\"\n") + kHypSteps, kFile);
  ASSERT_TRUE(plain.is_ok());
  EXPECT_EQ(plain.value().kind, LabKind::Guest);
}

TEST(LabDefinition, HypervisorLabWithoutAGuestOrAnUnknownKindIsAnError) {
  auto no_guest = parse_lab_definition(
      std::string("id = \"h\"\ntitle = \"t\"\nkind = \"hypervisor\"\n") + kHypSteps, kFile);
  ASSERT_TRUE(no_guest.is_error());
  EXPECT_NE(no_guest.error().message.find("guest"), std::string::npos);
  EXPECT_TRUE(parse_lab_definition(
                  std::string("id = \"h\"\ntitle = \"t\"\nkind = \"el3\"\n") + kHypSteps, kFile)
                  .is_error());
  EXPECT_TRUE(parse_lab_definition(
                  std::string("id = \"h\"\ntitle = \"t\"\nguest = \"g.elf\"\n") + kHypSteps, kFile)
                  .is_error());
}

}  // namespace
}  // namespace nestlab::lab
