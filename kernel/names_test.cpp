#include "kernel/names.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace nestlab::kernel {
namespace {

class IdCounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nestlab-ids-XXXXXX";
    m_dir = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(m_dir); }
  std::string m_dir;
};

TEST(VhvIds, NumbersOfIds) {
  EXPECT_EQ(vhv_id_number("vhv-1"), 1u);
  EXPECT_EQ(vhv_id_number("vhv-4711"), 4711u);
  EXPECT_EQ(vhv_id_number("vhv-"), 0u);
  EXPECT_EQ(vhv_id_number("vhv-01"), 0u);
  EXPECT_EQ(vhv_id_number("vhv-1x"), 0u);
  EXPECT_EQ(vhv_id_number("lab1"), 0u);
}

TEST_F(IdCounterTest, IdsAreNeverGivenTwiceAcrossRestarts) {
  {
    VhvIdCounter ids(m_dir);
    ASSERT_TRUE(ids.load().is_ok());
    EXPECT_EQ(ids.take().value(), "vhv-1");
    EXPECT_EQ(ids.take().value(), "vhv-2");
  }
  // vhv-1 and vhv-2 were destroyed: nothing of them is left but the counter.
  VhvIdCounter again(m_dir);
  ASSERT_TRUE(again.load().is_ok());
  EXPECT_EQ(again.take().value(), "vhv-3");
  again.at_least(10);
  EXPECT_EQ(again.take().value(), "vhv-10");
  VhvIdCounter third(m_dir);
  ASSERT_TRUE(third.load().is_ok());
  EXPECT_EQ(third.take().value(), "vhv-11");
}

TEST_F(IdCounterTest, ADamagedCounterIsSetAsideAndIdsGoOnAfterTheHighestSeen) {
  std::filesystem::create_directories(m_dir + "/consoles/vhv-41");
  std::filesystem::create_directories(m_dir + "/vhvs/vhv-7");
  std::ofstream(m_dir + "/vhv-ids.json") << "{\"format\":\"nestlab-st";
  VhvIdCounter ids(m_dir);
  auto loaded = ids.load();
  ASSERT_TRUE(loaded.is_error());
  EXPECT_NE(loaded.error().message.find("vhv-ids.json.bad"), std::string::npos)
      << loaded.error().message;
  EXPECT_TRUE(std::filesystem::exists(m_dir + "/vhv-ids.json.bad"));
  EXPECT_EQ(ids.take().value(), "vhv-42");  // after the console log of vhv-41
}

TEST_F(IdCounterTest, AStateDirectoryFromBeforeTheCounterStartsAfterItsIds) {
  std::filesystem::create_directories(m_dir + "/vhvs/vhv-5");
  VhvIdCounter ids(m_dir);
  ASSERT_TRUE(ids.load().is_ok());
  EXPECT_EQ(ids.take().value(), "vhv-6");
}

TEST_F(IdCounterTest, AnIdIsOnlyGivenOnceTheCounterIsOnDisk) {
  std::filesystem::create_directories(m_dir + "/vhv-ids.json.tmp");  // the write cannot happen
  VhvIdCounter ids(m_dir);
  ASSERT_TRUE(ids.load().is_ok());
  auto taken = ids.take();
  ASSERT_TRUE(taken.is_error());
  EXPECT_NE(taken.error().message.find("cannot keep the VHV id counter"), std::string::npos);
}

}  // namespace
}  // namespace nestlab::kernel
