#include "console/lab/make_build.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace nestlab::lab {
namespace {

class MakeBuild : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nestlab-make-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  void makefile(const std::string& text) { std::ofstream(m_dir + "/Makefile") << text; }
  std::string m_dir;
};

TEST_F(MakeBuild, ReportsSuccessAndFailureWithOutput) {
  makefile("all:\n\t@echo building\n");
  auto ok = run_make(m_dir, -1, std::chrono::seconds(20));
  ASSERT_TRUE(ok.is_ok());
  EXPECT_TRUE(ok.value().ok);
  EXPECT_NE(ok.value().output.find("building"), std::string::npos);

  makefile("all:\n\t@echo 'main.cpp:1: error: nope' >&2; exit 1\n");
  auto bad = run_make(m_dir, -1, std::chrono::seconds(20));
  ASSERT_TRUE(bad.is_ok());
  EXPECT_FALSE(bad.value().ok);
  EXPECT_NE(bad.value().output.find("main.cpp:1: error: nope"), std::string::npos);
}

TEST_F(MakeBuild, BoundsOutputKeepingStartAndEnd) {
  makefile("all:\n\t@echo FIRST; yes line | head -c 2000000; echo LAST\n");
  auto r = run_make(m_dir, -1, std::chrono::seconds(20));
  ASSERT_TRUE(r.is_ok());
  EXPECT_LE(r.value().output.size(), kBuildOutputHead + kBuildOutputTail + 200);
  EXPECT_EQ(r.value().output.rfind("FIRST", 0), 0u);
  EXPECT_NE(r.value().output.find("LAST"), std::string::npos);
  EXPECT_NE(r.value().output.find("bytes of make output left out"), std::string::npos);
}

TEST_F(MakeBuild, TimeoutStopsMakeAndItsChildren) {
  makefile("all:\n\t@sleep 30\n");
  auto start = std::chrono::steady_clock::now();
  auto r = run_make(m_dir, -1, std::chrono::seconds(1));
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r.value().timed_out);
  EXPECT_FALSE(r.value().ok);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(MakeBuild, InterruptFdStopsIt) {
  makefile("all:\n\t@sleep 30\n");
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "x", 1), 1);  // already "interrupted"
  auto r = run_make(m_dir, p[0], std::chrono::seconds(20));
  ::close(p[0]);
  ::close(p[1]);
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r.value().interrupted);
}

}  // namespace
}  // namespace nestlab::lab
