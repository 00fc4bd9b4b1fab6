#include "kernel/state_file.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nestlab::kernel {
namespace {

namespace fs = std::filesystem;

class StateFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nestlab-state-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
    m_path = m_dir + "/record.json";
  }
  void TearDown() override { fs::remove_all(m_dir); }
  std::string text() {
    std::ifstream in(m_path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void put(const std::string& t) { std::ofstream(m_path, std::ios::trunc) << t; }
  std::string m_dir, m_path;
};

TEST_F(StateFile, RoundTripsAndLeavesNoTemporary) {
  nlohmann::json payload{{"id", "vhv-1"}, {"pid", 42}, {"name", "lab \"1\""}};
  ASSERT_TRUE(write_state_file(m_path, "vhv", payload).is_ok());
  EXPECT_FALSE(fs::exists(m_path + ".tmp"));
  auto back = read_state_file(m_path, "vhv");
  ASSERT_TRUE(back.is_ok()) << back.error().message;
  EXPECT_EQ(back.value(), payload);
}

TEST_F(StateFile, ReplacesAtomically) {
  ASSERT_TRUE(write_state_file(m_path, "vhv", {{"n", 1}}).is_ok());
  ASSERT_TRUE(write_state_file(m_path, "vhv", {{"n", 2}}).is_ok());
  EXPECT_EQ(read_state_file(m_path, "vhv").value()["n"], 2);
}

TEST_F(StateFile, DetectsAChangedPayload) {
  ASSERT_TRUE(write_state_file(m_path, "vhv", {{"pid", 42}}).is_ok());
  std::string t = text();
  t.replace(t.find("42"), 2, "43");
  put(t);
  auto r = read_state_file(m_path, "vhv");
  ASSERT_TRUE(r.is_error());
  EXPECT_NE(r.error().message.find("checksum mismatch"), std::string::npos) << r.error().message;
}

TEST_F(StateFile, RefusesTruncatedWrongKindAndWrongVersion) {
  ASSERT_TRUE(write_state_file(m_path, "vhv", {{"pid", 42}}).is_ok());
  std::string good = text();
  put(good.substr(0, good.size() / 2));
  EXPECT_NE(read_state_file(m_path, "vhv").error().message.find("not JSON"), std::string::npos);
  put(good);
  EXPECT_NE(read_state_file(m_path, "tenants").error().message.find("\"vhv\""), std::string::npos);
  std::string v2 = good;
  v2.replace(v2.find("\"version\": 1"), 12, "\"version\": 2");
  put(v2);
  EXPECT_NE(read_state_file(m_path, "vhv").error().message.find("version 2"), std::string::npos);
  put("");
  EXPECT_TRUE(read_state_file(m_path, "vhv").is_error());
  fs::remove(m_path);
  EXPECT_TRUE(read_state_file(m_path, "vhv").is_error());
}

}  // namespace
}  // namespace nestlab::kernel
