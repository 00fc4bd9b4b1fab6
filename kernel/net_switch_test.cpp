#include "kernel/net_switch.h"

#include <gtest/gtest.h>

#include <vector>

namespace nestlab::kernel {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> frame(uint8_t dst, uint8_t src, size_t len = 60) {
  std::vector<uint8_t> f(len, 0);
  f[0] = 0x02;
  f[5] = dst;
  f[6] = 0x02;
  f[11] = src;
  return f;
}

std::vector<uint8_t> broadcast(uint8_t src) {
  auto f = frame(0, src);
  for (int i = 0; i < 6; ++i) f[i] = 0xff;
  return f;
}

struct Lab {
  NetSwitch sw;
  NetSwitch::Clock::time_point now{};
  Lab(int ports) {
    for (int p = 1; p <= ports; ++p) sw.add_port(static_cast<PortId>(p));
  }
  std::vector<PortId> send(PortId from, const std::vector<uint8_t>& f,
                           NetSwitch::Verdict* verdict = nullptr) {
    std::vector<PortId> to;
    auto v = sw.route(from, f, now, to);
    if (verdict) *verdict = v;
    return to;
  }
};

TEST(NetSwitch, FloodsUnknownAndBroadcastToEveryOtherPort) {
  Lab lab(3);
  EXPECT_EQ(lab.send(1, frame(9, 1)), (std::vector<PortId>{2, 3}));
  EXPECT_EQ(lab.send(2, broadcast(2)), (std::vector<PortId>{1, 3}));
  auto multicast = frame(5, 3);
  multicast[0] = 0x01;  // a group address
  EXPECT_EQ(lab.send(3, multicast), (std::vector<PortId>{1, 2}));
}

TEST(NetSwitch, LearnsSourcesAndForwardsUnicastToOnePort) {
  Lab lab(3);
  lab.send(1, broadcast(1));
  lab.send(2, broadcast(2));
  NetSwitch::Verdict v;
  EXPECT_EQ(lab.send(2, frame(1, 2), &v), (std::vector<PortId>{1}));
  EXPECT_EQ(v, NetSwitch::Verdict::Forward);
  EXPECT_EQ(lab.send(1, frame(2, 1)), (std::vector<PortId>{2}));
  EXPECT_EQ(lab.sw.mac_count(), 2u);
}

TEST(NetSwitch, NeverSendsAFrameBackToItsSource) {
  Lab lab(2);
  lab.send(1, broadcast(1));
  NetSwitch::Verdict v;
  // A frame for a MAC learnt on the port it comes from: filtered.
  EXPECT_TRUE(lab.send(1, frame(1, 7), &v).empty());
  EXPECT_EQ(v, NetSwitch::Verdict::Filtered);
  Lab alone(1);
  EXPECT_TRUE(alone.send(1, broadcast(1)).empty());
}

TEST(NetSwitch, RefusesFramesOutsideFourteenTo1514Bytes) {
  Lab lab(2);
  NetSwitch::Verdict v;
  EXPECT_TRUE(lab.send(1, frame(2, 1, 13), &v).empty());
  EXPECT_EQ(v, NetSwitch::Verdict::BadSize);
  EXPECT_TRUE(lab.send(1, frame(2, 1, 1515), &v).empty());
  EXPECT_EQ(v, NetSwitch::Verdict::BadSize);
  EXPECT_EQ(lab.send(1, frame(2, 1, 14)).size(), 1u);
  EXPECT_EQ(lab.send(1, frame(2, 1, 1514)).size(), 1u);
  EXPECT_EQ(lab.sw.counters().bad_size, 2u);
}

TEST(NetSwitch, TheMacTableIsBoundedAndAges) {
  Lab lab(3);
  for (int i = 0; i < 1000; ++i) {
    auto f = broadcast(0);
    f[10] = static_cast<uint8_t>(i >> 8);
    f[11] = static_cast<uint8_t>(i);
    lab.now += 1ms;
    lab.send(1 + i % 2, f);
  }
  EXPECT_EQ(lab.sw.mac_count(), NetSwitch::kMaxMacs);
  // The most recent sources are kept: 999 (port 2) is known.
  auto to_999 = frame(0, 3);
  to_999[4] = 999 >> 8;
  to_999[5] = 999 & 0xff;
  EXPECT_EQ(lab.send(3, to_999), (std::vector<PortId>{2}));
  // One not seen for longer than the ageing time floods again.
  lab.now += NetSwitch::kAgeing + 1s;
  EXPECT_EQ(lab.send(3, to_999), (std::vector<PortId>{1, 2}));
}

TEST(NetSwitch, ARemovedPortIsForgottenAndUnknownPortsAreRefused) {
  Lab lab(3);
  lab.send(2, broadcast(2));
  lab.sw.remove_port(2);
  EXPECT_EQ(lab.send(1, frame(2, 1)), (std::vector<PortId>{3}));
  NetSwitch::Verdict v;
  EXPECT_TRUE(lab.send(2, broadcast(2), &v).empty());
  EXPECT_EQ(v, NetSwitch::Verdict::UnknownPort);
}

}  // namespace
}  // namespace nestlab::kernel
