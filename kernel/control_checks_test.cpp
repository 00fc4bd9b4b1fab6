#include "kernel/control_checks.h"

#include <gtest/gtest.h>

namespace nestlab::kernel {
namespace {

using nlohmann::json;

// Replies as the real highvisor sends them (vhv/host/highvisor.cpp,
// trap_observer.cpp, pause_resume.cpp, console_input.cpp).
json good_stats() {
  return {{"counters", {{"HVC64", 3}, {"DABT_LOW", 9}}},
          {"total_exits", 12},
          {"guest_entries", 13},
          {"trap", {{"backdoor_calls", 0}, {"prda_ops", json::array({0, 0, 0, 0, 0, 0, 0, 0})}}},
          {"uuid", "0b2f5e4c-6f39-4c55-9d7e-3a8a0a6b8f11"},
          {"guest_time_ns", 5}};
}

json good_trace() {
  return {{"entries", json::array({{{"vcpu", 0},
                                    {"seq", 1},
                                    {"time_ns", 100},
                                    {"class", "HVC64"},
                                    {"ec", 22},
                                    {"pc", "0x40080000"},
                                    {"iss", "0x0"},
                                    {"result", "advance"},
                                    {"detail", 0}}})},
          {"cursor", json::array({1})},
          {"lost", 0}};
}

void expect_refused(std::string_view method, const json& result, const std::string& names) {
  auto r = check_reply_result(method, result);
  ASSERT_TRUE(r.is_error()) << method << ": " << result.dump().substr(0, 200);
  EXPECT_EQ(r.error().code, ErrorCode::Protocol);
  EXPECT_NE(r.error().message.find(names), std::string::npos) << r.error().message;
  EXPECT_LT(r.error().message.size(), 300u) << r.error().message;
}

TEST(ControlChecks, TheRealHighvisorsRepliesPass) {
  EXPECT_TRUE(check_reply_result("run", {{"vm", 0}, {"entry", 0x40080000}}).is_ok());
  EXPECT_TRUE(check_reply_result("stats", good_stats()).is_ok());
  EXPECT_TRUE(check_reply_result("trace", good_trace()).is_ok());
  EXPECT_TRUE(check_reply_result("guestinfo", {{"values", {{"k", "v"}}}, {"uuid", "u"}}).is_ok());
  EXPECT_TRUE(
      check_reply_result("guestinfo", {{"key", "k"}, {"value", nullptr}, {"uuid", "u"}}).is_ok());
  EXPECT_TRUE(check_reply_result("pause", {{"paused", true}}).is_ok());
  EXPECT_TRUE(
      check_reply_result("resume", {{"paused", false}, {"paused_ms", 3}, {"tick_policy", "skip"}})
          .is_ok());
  EXPECT_TRUE(check_reply_result("console-input", {{"bytes", 4}}).is_ok());
  EXPECT_TRUE(check_reply_result("shutdown", json::object()).is_ok());
  EXPECT_TRUE(check_reply_error({{"code", "invalid-argument"}, {"message", "bad ELF"}}).is_ok());
}

TEST(ControlChecks, MalformedRepliesNameTheField) {
  expect_refused("stats", json::array({1, 2}), "result must be an object");
  json s = good_stats();
  s["counters"] = "many";
  expect_refused("stats", s, "result.counters must be an object");
  s = good_stats();
  s["counters"]["HVC64"] = -1;
  expect_refused("stats", s, "result.counters.HVC64 must be a count");
  s = good_stats();
  s["total_exits"] = "lots";
  expect_refused("stats", s, "result.total_exits");
  s = good_stats();
  s["trap"]["prda_ops"] = json::array({json::object()});
  expect_refused("stats", s, "result.trap.prda_ops");

  json t = good_trace();
  t["entries"] = 5;
  expect_refused("trace", t, "result.entries");
  t = good_trace();
  t["entries"][0]["pc"] = json{{"a", 1}};
  expect_refused("trace", t, "result.entries[0].pc must be a string");
  t = good_trace();
  t["cursor"] = json(std::vector<int>(5000, 0));
  expect_refused("trace", t, "result.cursor");
  t = good_trace();
  t.erase("lost");
  expect_refused("trace", t, "result.lost is missing");

  expect_refused("run", {{"vm", 7}}, "result.vm must be an integer from 0 to 3");
  EXPECT_TRUE(check_reply_result("run", {{"vm", 3}, {"mem", 1 << 25}, {"weight", 2}}).is_ok());
  EXPECT_TRUE(check_reply_result("stop", {{"vm", 1}, {"stopping", true}}).is_ok());
  expect_refused("stop", {{"vm", 4}}, "result.vm must be an integer from 0 to 3");
  expect_refused("stop", json::object(), "result.vm is missing");
  json stats{{"counters", json::object()},
             {"total_exits", 0},
             {"vm", 1},
             {"vcpus", {{{"vcpu", 0}, {"run_ns", 5}, {"wait_ns", 1}, {"migrations", 0}}}}};
  EXPECT_TRUE(check_reply_result("stats", stats).is_ok());
  stats["vcpus"][0]["run_ns"] = -1;
  expect_refused("stats", stats, "result.vcpus[0].run_ns");
  stats["vcpus"] = json(std::vector<json>(65, json::object()));
  expect_refused("stats", stats, "result.vcpus must be an array of at most 64");
  expect_refused("run", {{"vm", -1}}, "result.vm");
  expect_refused("pause", {{"paused", "maybe"}}, "result.paused must be true or false");
  expect_refused("guestinfo", {{"counters", {}}}, "result.key");
  expect_refused("no-such-method", json::object(), "never asks");

  EXPECT_TRUE(check_reply_error("no").is_error());
  EXPECT_TRUE(check_reply_error({{"message", std::string(100000, 'x')}}).is_error());
}

TEST(ControlChecks, EventsAreCheckedFieldByField) {
  EXPECT_TRUE(check_event({{"event", "ready"}, {"qemu_pid", 12}}).is_ok());
  EXPECT_TRUE(check_event({{"event", "console"}, {"vm", 0}, {"data", "aGk="}}).is_ok());
  EXPECT_TRUE(check_event({{"event", "log"}, {"text", "lowvisor: hi"}}).is_ok());
  EXPECT_TRUE(check_event({{"event", "vm-exit"},
                           {"vm", 0},
                           {"reason", "poweroff"},
                           {"code", 3},
                           {"ec", 22},
                           {"pc", 1},
                           {"message", ""},
                           {"counters", {{"HVC64", 1}}}})
                  .is_ok());
  EXPECT_TRUE(check_event({{"event", "failed"}, {"message", "QEMU died"}}).is_ok());
  EXPECT_TRUE(
      check_event({{"event", "seccomp"}, {"process", "qemu"}, {"syscall", "openat"}}).is_ok());
  EXPECT_TRUE(check_event({{"event", "hello"},
                           {"state", "running"},
                           {"paused", false},
                           {"image_name", "hello.elf"},
                           {"dropped_bytes", 0}})
                  .is_ok());
  EXPECT_TRUE(check_event({{"event", "hello"},
                           {"state", "running"},
                           {"vms", {{{"vm", 2}, {"image_name", "spin.elf"}, {"weight", 3}}}}})
                  .is_ok());
  EXPECT_TRUE(check_event({{"event", "hello"}, {"vms", {{{"vm", 9}}}}}).is_error());
  EXPECT_TRUE(check_event({{"event", "hello"}, {"vms", {{{"image_name", "x"}}}}}).is_error());
  EXPECT_TRUE(check_event({{"event", "hello"}, {"vms", "all"}}).is_error());
  EXPECT_TRUE(check_event({{"event", "ready"}, {"protocol_version", 2}, {"max_vms", 4}}).is_ok());
  EXPECT_TRUE(check_event({{"event", "ready"}, {"max_vms", 5}}).is_error());

  // A made-up VM number would be a console stream and a log file each.
  EXPECT_TRUE(check_event({{"event", "console"}, {"vm", 3}, {"data", "aGk="}}).is_ok());
  for (json vm : {json(4), json(-1), json(1ull << 40), json("0"), json(0.5)})
    EXPECT_TRUE(check_event({{"event", "console"}, {"vm", vm}, {"data", "aGk="}}).is_error()) << vm;
  EXPECT_TRUE(check_event({{"event", "console"}, {"data", "not base64!"}}).is_error());
  EXPECT_TRUE(check_event({{"event", "console"}, {"data", 12}}).is_error());
  EXPECT_TRUE(check_event({{"event", "vm-exit"}, {"code", {{"a", 1}}}}).is_error());
  EXPECT_TRUE(check_event({{"event", "vm-exit"}, {"counters", json::array()}}).is_error());
  EXPECT_TRUE(check_event({{"event", "ready"}, {"qemu_pid", "one"}}).is_error());
  EXPECT_TRUE(check_event({{"event", "log"}, {"text", std::string(100000, 'y')}}).is_error());
  EXPECT_TRUE(check_event({{"event", "hello"}, {"image_name", std::string(2000, 'i')}}).is_error());
  EXPECT_TRUE(check_event({{"event", "no-such-event"}}).is_error());
  EXPECT_TRUE(check_event({{"event", 5}}).is_error());
  json many = {{"event", "log"}, {"text", "x"}};
  for (int i = 0; i < 100; ++i) many["k" + std::to_string(i)] = i;
  EXPECT_TRUE(check_event(many).is_error());
}

}  // namespace
}  // namespace nestlab::kernel
