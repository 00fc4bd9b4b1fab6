// What the GIC frames' snapshots keep and refuse beyond the conformance
// test: the vCPU count is configuration, hardware backing is wiring.
#include "vhv/common/gic_frames.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace nestlab::gic_frames_test {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes save(const Device& d) {
  Bytes out(d.snapshot_size());
  auto n = d.save(out.data(), out.size());
  EXPECT_TRUE(n.is_ok());
  return out;
}

void reseal(Bytes& snap) {
  const uint32_t sum =
      snapshot_checksum(snap.data() + kSnapshotHeaderBytes, snap.size() - kSnapshotHeaderBytes);
  for (int i = 0; i < 4; ++i) snap[12 + i] = static_cast<uint8_t>(sum >> (8 * i));
}

class Observer final : public GicObserver {
 public:
  void distributor_written() override { ++dist; }
  void redistributor_written(unsigned vcpu) override { last_vcpu = static_cast<int>(vcpu); }
  void state_replaced() override { ++replaced; }
  int dist = 0, replaced = 0, last_vcpu = -1;
};

TEST(GicFrames, RedistributorsOfAnotherVcpuCountAreRefused) {
  vgic::GicModel two, three;
  two.reset(2);
  three.reset(3);
  GicRedistributors from(DeviceWiring{nullptr, nullptr, &two, nullptr});
  GicRedistributors into(DeviceWiring{nullptr, nullptr, &three, nullptr});
  const Bytes snap = save(from);
  auto r = into.restore(snap.data(), snap.size());
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error(), SnapshotError::Mismatch);
}

TEST(GicFrames, HardwareBackingIsNeitherSavedNorRestored) {
  vgic::GicModel plain, backed;
  plain.reset(1);
  backed.reset(1);
  backed.irq(0, 27).hw = true;  // the lowvisor's virtual timer wiring
  GicRedistributors a(DeviceWiring{nullptr, nullptr, &plain, nullptr});
  GicRedistributors b(DeviceWiring{nullptr, nullptr, &backed, nullptr});
  EXPECT_EQ(save(a), save(b));
  plain.irq(0, 27).pending = true;
  const Bytes snap = save(a);
  ASSERT_TRUE(b.restore(snap.data(), snap.size()).is_ok());
  EXPECT_TRUE(backed.irq(0, 27).pending);
  EXPECT_TRUE(backed.irq(0, 27).hw);
  b.reset();
  EXPECT_FALSE(backed.irq(0, 27).pending);
  EXPECT_TRUE(backed.irq(0, 27).hw);
}

TEST(GicFrames, TheObserverHearsOfWritesResetsAndRestores) {
  vgic::GicModel model;
  model.reset(2);
  Observer seen;
  const DeviceWiring w{nullptr, nullptr, &model, &seen};
  GicDistributor gicd(w);
  GicRedistributors gicr(w);
  gicd.write(0x0000, 4, vgic::GicModel::kCtlrEnableGrp1);
  EXPECT_EQ(seen.dist, 1);
  gicr.write(vgic::kGicrStride + 0x10000 + 0x100, 4, 1);
  EXPECT_EQ(seen.last_vcpu, 1);
  const Bytes snap = save(gicd);
  gicd.reset();
  EXPECT_FALSE(model.group1_enabled());
  ASSERT_TRUE(gicd.restore(snap.data(), snap.size()).is_ok());
  EXPECT_TRUE(model.group1_enabled());
  EXPECT_EQ(seen.replaced, 2);
  // A refused restore replaces nothing.
  EXPECT_TRUE(gicd.restore(snap.data(), snap.size() - 1).is_error());
  EXPECT_EQ(seen.replaced, 2);
}

TEST(GicFrames, DistributorControlKeepsAffinityRoutingOn) {
  vgic::GicModel model;
  model.reset(1);
  GicDistributor gicd(DeviceWiring{nullptr, nullptr, &model, nullptr});
  Bytes snap = save(gicd);
  snap[kSnapshotHeaderBytes] &= ~uint8_t(vgic::GicModel::kCtlrAre);  // GICD_CTLR.ARE off
  const uint32_t sum =
      snapshot_checksum(snap.data() + kSnapshotHeaderBytes, snap.size() - kSnapshotHeaderBytes);
  for (int i = 0; i < 4; ++i) snap[12 + i] = static_cast<uint8_t>(sum >> (8 * i));
  auto r = gicd.restore(snap.data(), snap.size());
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error(), SnapshotError::OutOfRange);
}

// The conformance test shows that an accepted record saves back to itself;
// these show that states no register access reaches are refused even when
// the record is well formed (payload offsets from vgic_model_snapshot.cpp).
TEST(GicFrames, UnreachableRedistributorStatesAreRefused) {
  vgic::GicModel model;
  model.reset(2);
  GicRedistributors gicr(DeviceWiring{nullptr, nullptr, &model, nullptr});
  const Bytes good = save(gicr);
  const size_t sleep = kSnapshotHeaderBytes + 1;  // then 8 ProcessorSleep bytes
  const size_t irqs = sleep + vgic::kMaxVcpus;    // then (flags, priority) per vCPU and INTID
  auto irq_at = [&](unsigned vcpu, unsigned intid) { return irqs + 2 * (vcpu * 32 + intid); };
  struct Case {
    size_t at;
    uint8_t value;
    const char* what;
  } const cases[] = {
      {sleep + 5, 0, "vCPU 5 of 2 awake"},
      {irq_at(3, 20), 0x01, "a PPI enabled on vCPU 3 of 2"},
      {irq_at(4, 20) + 1, 0x80, "a priority on vCPU 4 of 2"},
      {irq_at(0, 3), 0x00, "a level-sensitive SGI"},
      {irq_at(1, 20) + 1, 0x81, "priority bits below the five implemented"},
      {irq_at(1, 20), 0x20, "an unknown flag"},
      {sleep, 2, "ProcessorSleep neither 0 nor 1"},
  };
  for (const Case& c : cases) {
    Bytes bad = good;
    bad[c.at] = c.value;
    reseal(bad);
    auto r = gicr.restore(bad.data(), bad.size());
    ASSERT_TRUE(r.is_error()) << c.what;
    EXPECT_EQ(r.error(), SnapshotError::OutOfRange) << c.what;
  }
  // And the same places with reachable values are accepted.
  Bytes fine = good;
  fine[sleep + 1] = 0;         // vCPU 1 awake
  fine[irq_at(1, 20)] = 0x17;  // PPI 20 of vCPU 1 enabled, pending, active, group 1
  fine[irq_at(1, 20) + 1] = 0xa8;
  reseal(fine);
  EXPECT_TRUE(gicr.restore(fine.data(), fine.size()).is_ok());
  EXPECT_EQ(save(gicr), fine);
}

TEST(GicFrames, UnreachableDistributorStatesAreRefused) {
  vgic::GicModel model;
  model.reset(1);
  GicDistributor gicd(DeviceWiring{nullptr, nullptr, &model, nullptr});
  const Bytes good = save(gicd);
  const size_t spi40 = kSnapshotHeaderBytes + 4 + 3 * (40 - 32);
  for (auto [at, value] : {std::pair<size_t, uint8_t>{spi40, 0x40}, {spi40 + 1, 0x04}}) {
    Bytes bad = good;
    bad[at] = value;
    reseal(bad);
    auto r = gicd.restore(bad.data(), bad.size());
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), SnapshotError::OutOfRange);
  }
}

TEST(Snapshot, EveryErrorIsDescribed) {
  for (int e = 0; e <= static_cast<int>(SnapshotError::Mismatch); ++e) {
    const char* text = describe(static_cast<SnapshotError>(e));
    ASSERT_NE(text, nullptr);
    EXPECT_NE(std::string(text), "unknown device snapshot error") << e;
  }
}

}  // namespace
}  // namespace nestlab::gic_frames_test
