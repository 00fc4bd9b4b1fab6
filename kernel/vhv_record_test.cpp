#include "kernel/vhv_record.h"

#include <gtest/gtest.h>

namespace nestlab::kernel {
namespace {

TEST(VhvRecordState, RoundTripsWhatARestartedKernelNeeds) {
  VhvRecord r;
  r.id = "vhv-7";
  r.name = "lab1";
  r.owner_uid = 1001;
  r.pid = 4242;
  r.start_time = 123456;
  r.mem = 128u << 20;
  r.smp = 2;
  r.created = 1700000000;
  r.ephemeral = true;
  r.cgroup = "/nestlab/alice/vhv-7";
  r.limits = "cgroup";
  r.tenant = "alice";
  r.cpu_weight = 300;
  r.cpu_quota = 50;
  r.memory_limit = 1u << 30;
  r.state = VhvState::Running;
  r.vm = VmRecord{0, "monitor.elf", "running", std::nullopt, "", "", nlohmann::json::object()};
  auto back = record_from_state(record_to_state(r));
  ASSERT_TRUE(back.is_ok()) << back.error().message;
  const VhvRecord& b = back.value();
  EXPECT_EQ(b.id, r.id);
  EXPECT_EQ(b.name, r.name);
  EXPECT_EQ(b.owner_uid, r.owner_uid);
  EXPECT_EQ(b.pid, r.pid);
  EXPECT_EQ(b.start_time, r.start_time);
  EXPECT_EQ(b.smp, 2);
  EXPECT_TRUE(b.ephemeral);
  EXPECT_EQ(b.cgroup, r.cgroup);
  EXPECT_EQ(b.tenant, "alice");
  EXPECT_EQ(b.cpu_weight, 300u);
  EXPECT_EQ(b.cpu_quota, 50u);
  EXPECT_EQ(b.memory_limit, r.memory_limit);
  EXPECT_EQ(b.state, VhvState::Running);
  ASSERT_TRUE(b.vm.has_value());
  EXPECT_EQ(b.vm->image, "monitor.elf");
}

TEST(VhvRecordState, NamesTheBadField) {
  VhvRecord r;
  r.id = "vhv-1";
  r.name = "vhv-1";
  auto j = record_to_state(r);
  j["owner_uid"] = "root";
  auto back = record_from_state(j);
  ASSERT_TRUE(back.is_error());
  EXPECT_NE(back.error().message.find("owner_uid"), std::string::npos);
  EXPECT_TRUE(record_from_state(nlohmann::json::array()).is_error());
}

TEST(VhvRecordState, KeepsTheHostUid) {
  VhvRecord r;
  r.id = "vhv-1";
  r.name = "a";
  r.limits = "cgroup";
  r.host_uid = 0x70000001;
  auto back = record_from_state(record_to_state(r));
  ASSERT_TRUE(back.is_ok()) << back.error().message;
  EXPECT_EQ(back.value().host_uid, 0x70000001u);
  EXPECT_EQ(to_json(back.value())["host_uid"], 0x70000001u);
}

TEST(VhvRecordState, OverlongStringsAreRefusedOnLoad) {
  VhvRecord r;
  r.id = "vhv-2";
  r.name = "b";
  r.limits = "cgroup";
  r.vm = VmRecord{0, std::string(kMaxImageName + 1, 'x'), "running", std::nullopt, "", "", {}};
  auto back = record_from_state(record_to_state(r));
  ASSERT_TRUE(back.is_error());
  EXPECT_NE(back.error().message.find("vm.image"), std::string::npos) << back.error().message;
  r.vm->image = std::string(kMaxImageName, 'x');
  EXPECT_TRUE(record_from_state(record_to_state(r)).is_ok());
  r.tenant = std::string(kMaxRecordString + 1, 't');
  EXPECT_TRUE(record_from_state(record_to_state(r)).is_error());
}

TEST(VhvRecordState, BoundsAreCheckedAndCutAtCharacters) {
  EXPECT_TRUE(check_length("image_name", std::string(255, 'a'), 255).is_ok());
  auto e = check_length("image_name", std::string(1100000, 'a'), 255);
  ASSERT_TRUE(e.is_error());
  EXPECT_EQ(e.error().message, "image_name is 1100000 bytes long; at most 255 are allowed");
  EXPECT_EQ(bounded("abc", 2), "ab");
  EXPECT_EQ(bounded("a\xc3\xa9", 2), "a");  // é is two bytes: not cut in half
}

}  // namespace
}  // namespace nestlab::kernel
