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

}  // namespace
}  // namespace nestlab::kernel
