#include <gtest/gtest.h>

#include "console/lab/report_writers.h"
#include "console/lab/step_runner.h"

namespace nestlab::lab {
namespace {

GradeReport sample() {
  GradeReport r;
  r.lab = "01-boot";
  r.title = "Boot contract";
  r.dir = "/home/s/boot";
  r.max_score = 50;
  r.steps.push_back({"uart@9000000", StepKind::Mark, 30, 30, StepStatus::Passed, "", "", {}, 3, 4});
  r.steps.push_back({"prints <the> \"nonce\" #1",
                     StepKind::Expect,
                     0,
                     15,
                     StepStatus::Failed,
                     "output \"nonce: 12\"",
                     "not printed",
                     {"line one", "bell\x07 & more"},
                     5000,
                     5100});
  r.steps.push_back(
      {"exits", StepKind::Exit, 0, 5, StepStatus::NotReached, "", "not reached", {}, 0, 0});
  r.guest_end = "still running when grading ended";
  r.console = "line one\nbell\x07 & more\n";
  return r;
}

TEST(Reports, ScoreAndStatus) {
  GradeReport r = sample();
  EXPECT_EQ(r.score(), 30);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.exit_status(), 1);
  r.steps.resize(1);
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.exit_status(), 0);
  r.build_ok = false;
  EXPECT_EQ(r.exit_status(), 1);
}

TEST(Reports, TextShowsMarksPointsAndFailureContext) {
  GradeReport r = sample();
  std::string pass = format_step(r.steps[0], 20);
  EXPECT_NE(pass.find("\u2713 uart@9000000"), std::string::npos);
  EXPECT_NE(pass.find("30/30"), std::string::npos);
  std::string failed = format_step(r.steps[1], 20);
  EXPECT_NE(failed.find("\u2717 prints"), std::string::npos);
  EXPECT_NE(failed.find("0/15"), std::string::npos);
  EXPECT_NE(failed.find("expected: output \"nonce: 12\""), std::string::npos);
  EXPECT_NE(failed.find("seen:     not printed"), std::string::npos);
  EXPECT_NE(failed.find("| bell\\x07 & more"), std::string::npos);  // control bytes escaped
  std::string summary = format_summary(r, "/home/s/boot/grade");
  EXPECT_NE(summary.find("score 30/50"), std::string::npos);
  EXPECT_NE(summary.find("2 of 3 steps did not pass"), std::string::npos);
}

TEST(Reports, TapPlanPointsAndYaml) {
  std::string tap = report_tap(sample());
  EXPECT_EQ(tap.rfind("TAP version 13\n1..3\n", 0), 0u) << tap;
  EXPECT_NE(tap.find("ok 1 - uart@9000000\n"), std::string::npos);
  EXPECT_NE(tap.find("not ok 2 - prints <the> \"nonce\" _1\n"), std::string::npos);  // no '#'
  EXPECT_NE(tap.find("  seen: \"not printed\"\n"), std::string::npos);
  EXPECT_NE(tap.find("not ok 3 - exits\n"), std::string::npos);
  EXPECT_NE(tap.find("# score 30/50"), std::string::npos);
}

TEST(Reports, JunitEscapesAndCounts) {
  std::string xml = report_junit(sample());
  EXPECT_NE(xml.find("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"prints &lt;the&gt; &quot;nonce&quot; #1\""), std::string::npos);
  EXPECT_NE(xml.find("bell\\x07 &amp; more"), std::string::npos);
  EXPECT_EQ(xml.find('\x07'), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"not reached\"/>"), std::string::npos);
}

TEST(Reports, JsonFields) {
  nlohmann::json j = report_json(sample());
  EXPECT_EQ(j["lab"], "01-boot");
  EXPECT_EQ(j["score"], 30);
  EXPECT_EQ(j["max_score"], 50);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["status"], 1);
  ASSERT_EQ(j["steps"].size(), 3u);
  EXPECT_EQ(j["steps"][1]["status"], "failed");
  EXPECT_EQ(j["steps"][1]["console_tail"][0], "line one");
  EXPECT_EQ(j["steps"][2]["status"], "not-reached");
  EXPECT_FALSE(j["steps"][0].contains("expected"));
}

TEST(Reports, BuildFailure) {
  GradeReport r = sample();
  r.build_ok = false;
  r.build_output = "main.cpp:3:1: error: expected ';'\n";
  EXPECT_NE(format_build_failure(r).find("| main.cpp:3:1: error: expected ';'"), std::string::npos);
  EXPECT_NE(report_tap(r).find("1..1\nnot ok 1 - build"), std::string::npos);
  EXPECT_NE(report_junit(r).find("<failure message=\"make failed\">main.cpp:3:1"),
            std::string::npos);
  EXPECT_NE(format_summary(r, "").find("the build failed"), std::string::npos);
}

TEST(Reports, ProgramThatDidNotStart) {
  GradeReport r = sample();
  r.start_error = "lab.elf is not an AArch64 ELF file";
  r.steps.resize(1);
  EXPECT_FALSE(r.passed());
  EXPECT_NE(report_tap(r).find("1..1\nnot ok 1 - start"), std::string::npos);
  std::string xml = report_junit(r);
  EXPECT_NE(xml.find("tests=\"1\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"start\""), std::string::npos);
  EXPECT_EQ(report_json(r)["start_error"], r.start_error);
}

TEST(StepRunner, LastLines) {
  EXPECT_EQ(last_lines("a\nb\r\nc\n", 2), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(last_lines("a\nb\npartial", 2), (std::vector<std::string>{"b", "partial"}));
  EXPECT_EQ(last_lines("", 3), std::vector<std::string>{});
  EXPECT_EQ(last_lines("one", 3), std::vector<std::string>{"one"});
}

}  // namespace
}  // namespace nestlab::lab
