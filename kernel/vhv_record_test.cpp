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
  VmRecord& vm = r.vm_slot(0);
  vm.image = "monitor.elf";
  vm.state = "running";
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
  ASSERT_NE(b.find_vm(0), nullptr);
  EXPECT_EQ(b.find_vm(0)->image, "monitor.elf");
}

// Issue 13: several VMs, each with its own weight, size and exit.
TEST(VhvRecordState, RoundTripsEveryVmOfTheVhv) {
  VhvRecord r;
  r.id = "vhv-8";
  r.name = "multi";
  r.limits = "cgroup";
  VmRecord& a = r.vm_slot(2);
  a.image = "spin.elf";
  a.state = "running";
  a.weight = 3;
  a.smp = 2;
  a.mem = 32u << 20;
  a.run_seq = r.next_run_seq++;
  a.net = "lab0";
  a.mac = "02:11:22:33:44:55";
  VmRecord& b = r.vm_slot(0);
  b.image = "hello.elf";
  b.state = "exited";
  b.exit_code = 7;
  b.reason = "poweroff";
  b.run_seq = r.next_run_seq++;
  ASSERT_EQ(r.vms.size(), 2u);
  EXPECT_EQ(r.vms[0].id, 0);  // kept in id order
  auto back = record_from_state(record_to_state(r));
  ASSERT_TRUE(back.is_ok()) << back.error().message;
  const VhvRecord& x = back.value();
  ASSERT_EQ(x.vms.size(), 2u);
  ASSERT_NE(x.find_vm(2), nullptr);
  EXPECT_EQ(x.find_vm(2)->image, "spin.elf");
  EXPECT_EQ(x.find_vm(2)->weight, 3u);
  EXPECT_EQ(x.find_vm(2)->smp, 2);
  EXPECT_EQ(x.find_vm(2)->mem, 32u << 20);
  EXPECT_EQ(x.find_vm(2)->net, "lab0");
  EXPECT_EQ(x.find_vm(2)->mac, "02:11:22:33:44:55");
  EXPECT_EQ(x.find_vm(0)->net, "");
  EXPECT_EQ(x.find_vm(0)->exit_code, 7);
  EXPECT_EQ(x.find_vm(0)->reason, "poweroff");
  EXPECT_TRUE(x.any_vm_running());
  EXPECT_EQ(x.next_run_seq, r.next_run_seq);
  // VhvInfo: "vm" is VM 0 as before, "vms" all of them.
  nlohmann::json info = to_json(x);
  EXPECT_EQ(info["vm"]["id"], 0);
  EXPECT_EQ(info["vm"]["exit_code"], 7);
  ASSERT_EQ(info["vms"].size(), 2u);
  EXPECT_EQ(info["vms"][1]["vm"], 2);
  EXPECT_EQ(info["vms"][1]["weight"], 3);
  EXPECT_TRUE(info["vms"][1]["exit_code"].is_null());
  EXPECT_EQ(info["vms"][1]["mac"], "02:11:22:33:44:55");
  EXPECT_FALSE(info["vms"][0].contains("net"));
}

TEST(VhvRecordState, WithoutVm0TheNewestIsTheMainVm) {
  VhvRecord r;
  r.vm_slot(3).run_seq = 5;
  r.vm_slot(1).run_seq = 9;
  ASSERT_NE(r.main_vm(), nullptr);
  EXPECT_EQ(r.main_vm()->id, 1);
  EXPECT_EQ(VhvRecord{}.main_vm(), nullptr);
}

// A record a kernel from before issue 13 wrote: one "vm", no "vms".
TEST(VhvRecordState, ReadsARecordFromBeforeSeveralVms) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "id": "vhv-3", "name": "old", "owner_uid": 1000, "pid": 77, "start_time": 5,
    "host_uid": 1000, "mem": 134217728, "smp": 1, "created": 1700000000,
    "ephemeral": false, "limits": "cgroup", "state": "running", "tenant": "default",
    "cpu_weight": 0, "cpu_quota": 0, "memory_limit_hits": 0, "oom_kills": 0,
    "cgroup": "/nestlab/default/vhv-3", "memory_limit": null,
    "vm": {"id": 0, "image": "spin.elf", "state": "running"}})");
  auto back = record_from_state(j);
  ASSERT_TRUE(back.is_ok()) << back.error().message;
  const VhvRecord& r = back.value();
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].id, 0);
  EXPECT_EQ(r.vms[0].image, "spin.elf");
  EXPECT_EQ(r.vms[0].state, "running");
  EXPECT_EQ(r.vms[0].weight, 1u);
  EXPECT_EQ(to_json(r)["vm"]["image"], "spin.elf");
  // And what this kernel writes still has the "vm" an older kernel reads.
  EXPECT_EQ(record_to_state(r)["vm"]["image"], "spin.elf");
}

TEST(VhvRecordState, RefusesVmIdsOutOfRangeAndTwice) {
  VhvRecord r;
  r.id = "vhv-4";
  r.name = "c";
  r.limits = "cgroup";
  r.vm_slot(1).image = "a.elf";
  auto j = record_to_state(r);
  j["vms"][0]["id"] = 9;
  auto back = record_from_state(j);
  ASSERT_TRUE(back.is_error());
  EXPECT_NE(back.error().message.find("vms[0].id"), std::string::npos) << back.error().message;
  j["vms"][0]["id"] = 1;
  j["vms"].push_back(j["vms"][0]);
  EXPECT_TRUE(record_from_state(j).is_error());
  j["vms"] = nlohmann::json::array();
  for (int i = 0; i < 9; ++i) j["vms"].push_back({{"id", 0}});
  EXPECT_TRUE(record_from_state(j).is_error());
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
  r.vm_slot(0).image = std::string(kMaxImageName + 1, 'x');
  r.vm_slot(0).state = "running";
  auto back = record_from_state(record_to_state(r));
  ASSERT_TRUE(back.is_error());
  EXPECT_NE(back.error().message.find("vms[0].image"), std::string::npos) << back.error().message;
  r.vm_slot(0).image = std::string(kMaxImageName, 'x');
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
