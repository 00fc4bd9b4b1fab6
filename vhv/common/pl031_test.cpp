// The PL031 register model on a clock the test moves by hand: the counter
// shows the backend's wall clock, RTCLR sets it, a match raises RTCRIS at
// the second the counter reaches RTCMR (through the backend's alarm or at
// any access), the line follows RIS & IMSC, and restore refuses alarms no
// register write sets.
#include "vhv/common/pl031.h"

#include <gtest/gtest.h>

#include <vector>

namespace nestlab {
namespace {

constexpr uint64_t kS = 1'000'000'000;
constexpr uint64_t kEpoch = 1'750'000'000;  // a 2025 wall-clock time, in seconds

class FakeRtc final : public RtcBackend {
 public:
  uint64_t now_ns() override { return now; }
  void set_alarm(uint64_t at_ns) override { alarm = at_ns; }
  void set_irq_level(bool high) override {
    level = high;
    ++changes;
  }
  // Moves the clock; fires the alarm as the lowvisor's timer would.
  void advance(Pl031& rtc, uint64_t ns) {
    now += ns;
    if (alarm != 0 && now >= alarm) rtc.alarm_expired();
  }
  uint64_t now = kEpoch * kS + 250'000'000;
  uint64_t alarm = 0;
  bool level = false;
  int changes = 0;
};

class Pl031Test : public ::testing::Test {
 protected:
  uint32_t rd(uint64_t off) { return static_cast<uint32_t>(rtc.read(off, 4)); }
  void wr(uint64_t off, uint32_t v) { rtc.write(off, 4, v); }
  FakeRtc clock;
  Pl031 rtc{&clock};
};

TEST_F(Pl031Test, CountsTheBackendsSecondsAndLoadsFromRtclr) {
  EXPECT_EQ(rd(Pl031::kDr), kEpoch);
  clock.advance(rtc, 749'999'999);
  EXPECT_EQ(rd(Pl031::kDr), kEpoch);  // 999'999'999 ns into the second
  clock.advance(rtc, 1);
  EXPECT_EQ(rd(Pl031::kDr), kEpoch + 1);
  wr(Pl031::kLr, 1000);
  EXPECT_EQ(rd(Pl031::kDr), 1000u);
  EXPECT_EQ(rd(Pl031::kLr), 1000u);  // TRM 3.3.3: the last value loaded
  clock.advance(rtc, 3 * kS);
  EXPECT_EQ(rd(Pl031::kDr), 1003u);
  // The counter wraps at 2^32 like the hardware's.
  wr(Pl031::kLr, 0xffff'ffff);
  clock.advance(rtc, kS);
  EXPECT_EQ(rd(Pl031::kDr), 0u);
}

TEST_F(Pl031Test, IdsAndReadOnlyRegisters) {
  const uint32_t ids[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
  for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(rd(Pl031::kPeriphId0 + 4 * i), ids[i]) << i;
  EXPECT_EQ(rd(Pl031::kCr), 1u);  // always started
  for (uint64_t off : {Pl031::kDr, Pl031::kCr, Pl031::kRis, Pl031::kMis, Pl031::kPeriphId0}) {
    const uint32_t before = rd(off);
    rtc.write(off, 1, 0xef);
    rtc.write(off, 2, 0xbeef);
    wr(off, 0xdeadbeef);
    EXPECT_EQ(rd(off), before) << off;
  }
  EXPECT_EQ(rd(Pl031::kIcr), 0u);  // write-only
}

TEST_F(Pl031Test, NarrowAccessesSeeTheirBytes) {
  wr(Pl031::kMr, 0x1234'5678);
  EXPECT_EQ(rtc.read(Pl031::kMr, 1), 0x78u);
  EXPECT_EQ(rtc.read(Pl031::kMr + 1, 1), 0x56u);
  EXPECT_EQ(rtc.read(Pl031::kMr + 2, 2), 0x1234u);
  rtc.write(Pl031::kImsc, 1, 1);
  EXPECT_EQ(rd(Pl031::kImsc), 1u);
}

TEST_F(Pl031Test, MatchRaisesRisAtTheSecondTheCounterReachesIt) {
  const uint32_t now = rd(Pl031::kDr);
  wr(Pl031::kMr, now + 2);
  // The alarm is the start of that second, on the backend's clock.
  EXPECT_EQ(clock.alarm, (kEpoch + 2) * kS);
  clock.advance(rtc, kS);
  EXPECT_EQ(rd(Pl031::kRis), 0u);
  clock.advance(rtc, kS);  // kEpoch + 2.25 s: the alarm fired
  EXPECT_EQ(clock.alarm, 0u);
  EXPECT_EQ(rd(Pl031::kRis), 1u);
  EXPECT_EQ(rd(Pl031::kMis), 0u);  // masked: the line stays low
  EXPECT_FALSE(clock.level);
  wr(Pl031::kImsc, 1);
  EXPECT_EQ(rd(Pl031::kMis), 1u);
  EXPECT_TRUE(clock.level);
  wr(Pl031::kIcr, 1);
  EXPECT_EQ(rd(Pl031::kRis), 0u);
  EXPECT_FALSE(clock.level);
  // Fired once: the counter passing RTCMR again takes 2^32 s.
  clock.advance(rtc, 10 * kS);
  EXPECT_EQ(rd(Pl031::kRis), 0u);
}

TEST_F(Pl031Test, AMatchSeenAtAnAccessNeedsNoAlarm) {
  wr(Pl031::kImsc, 1);
  wr(Pl031::kMr, rd(Pl031::kDr) + 1);
  clock.now += 2 * kS;  // the alarm was late
  EXPECT_EQ(rd(Pl031::kMis), 1u);
  EXPECT_TRUE(clock.level);
  EXPECT_EQ(clock.alarm, 0u);
}

TEST_F(Pl031Test, MatchEqualToTheCounterFiresAtOnce) {
  wr(Pl031::kImsc, 1);
  wr(Pl031::kMr, rd(Pl031::kDr));
  EXPECT_EQ(rd(Pl031::kRis), 1u);
  EXPECT_TRUE(clock.level);
  EXPECT_EQ(clock.alarm, 0u);
}

TEST_F(Pl031Test, LoadingTheCounterMovesThePendingMatch) {
  wr(Pl031::kMr, 500);
  wr(Pl031::kLr, 490);  // 10 s to go from here
  EXPECT_EQ(clock.alarm, (kEpoch + 10) * kS);
  wr(Pl031::kLr, 500);  // reached
  EXPECT_EQ(rd(Pl031::kRis), 1u);
  EXPECT_EQ(clock.alarm, 0u);
  // A match behind the counter is one wrap away.
  wr(Pl031::kIcr, 1);
  wr(Pl031::kMr, 499);
  EXPECT_EQ(clock.alarm, (kEpoch + (1ull << 32) - 1) * kS);
}

TEST_F(Pl031Test, ResetCancelsTheMatchAndLowersTheLine) {
  wr(Pl031::kImsc, 1);
  wr(Pl031::kMr, rd(Pl031::kDr));
  ASSERT_TRUE(clock.level);
  wr(Pl031::kMr, rd(Pl031::kDr) + 5);
  rtc.reset();
  EXPECT_FALSE(clock.level);
  EXPECT_EQ(clock.alarm, 0u);
  EXPECT_EQ(rd(Pl031::kDr), kEpoch);
}

std::vector<uint8_t> save(const Pl031& d) {
  std::vector<uint8_t> out(d.snapshot_size());
  EXPECT_TRUE(d.save(out.data(), out.size()).is_ok());
  return out;
}

TEST_F(Pl031Test, RestoreCarriesTheMatchAndRearmsTheAlarm) {
  wr(Pl031::kLr, 100);
  wr(Pl031::kImsc, 1);
  wr(Pl031::kMr, 103);
  const auto snap = save(rtc);
  FakeRtc other_clock;
  other_clock.now = clock.now;
  Pl031 b(&other_clock);
  ASSERT_TRUE(b.restore(snap.data(), snap.size()).is_ok());
  EXPECT_EQ(save(b), snap);
  EXPECT_EQ(other_clock.alarm, (kEpoch + 3) * kS);
  EXPECT_EQ(b.count(), 100u);
  other_clock.advance(b, 3 * kS);
  EXPECT_TRUE(other_clock.level);
}

void put64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
  const uint32_t sum = snapshot_checksum(b.data() + kSnapshotHeaderBytes, b.size() - 16);
  for (int i = 0; i < 4; ++i) b[12 + i] = static_cast<uint8_t>(sum >> (8 * i));
}

TEST_F(Pl031Test, RestoreRefusesAlarmsNoRegisterWriteSets) {
  wr(Pl031::kMr, rd(Pl031::kDr) + 3);
  const auto good = save(rtc);
  constexpr size_t kAlarm = kSnapshotHeaderBytes + 20;
  // Not the second at which the counter equals RTCMR.
  auto off_by_one = good;
  put64(off_by_one, kAlarm, kEpoch + 4);
  // The right residue, but a wrap further than any RTCMR write reaches.
  auto too_far = good;
  put64(too_far, kAlarm, kEpoch + 3 + (1ull << 32));
  for (const auto* bad : {&off_by_one, &too_far}) {
    Pl031 b(&clock);
    auto r = b.restore(bad->data(), bad->size());
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), SnapshotError::OutOfRange);
    EXPECT_EQ(save(b), save(Pl031(&clock)));
  }
}

}  // namespace
}  // namespace nestlab
