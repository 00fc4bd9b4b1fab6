#include "vhv/common/virtio_mmio.h"

#include <gtest/gtest.h>

#include <vector>

#include "vhv/common/virtio_mmio_bank.h"

namespace nestlab {
namespace {

using namespace virtio;

class RecordingHost final : public VirtioHost {
 public:
  void notify(const channel::VirtioNotifyPayload& d) override { doorbells.push_back(d); }
  void set_irq_level(unsigned transport, bool high) override {
    levels.push_back({transport, high});
  }
  std::vector<channel::VirtioNotifyPayload> doorbells;
  std::vector<std::pair<unsigned, bool>> levels;
};

struct Bench {
  RecordingHost host;
  VirtioMmioBank bank{DeviceWiring{nullptr, nullptr, nullptr, nullptr, &host}};
  static constexpr unsigned kRng = VirtioMmioBank::kEntropyTransport;
  uint32_t rd(unsigned t, uint64_t reg) {
    return static_cast<uint32_t>(bank.read(t * VirtioMmioTransport::kSize + reg, 4));
  }
  void wr(unsigned t, uint64_t reg, uint32_t v) {
    bank.write(t * VirtioMmioTransport::kSize + reg, 4, v);
  }
  // The driver side of 3.1.1 up to DRIVER_OK, with one 8-entry queue.
  void bring_up(unsigned t = kRng) {
    wr(t, kRegStatus, 0);
    wr(t, kRegStatus, kStatusAcknowledge | kStatusDriver);
    wr(t, kRegDriverFeaturesSel, 1);
    wr(t, kRegDriverFeatures, 1);  // VERSION_1
    wr(t, kRegStatus, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
    wr(t, kRegQueueSel, 0);
    wr(t, kRegQueueNum, 8);
    wr(t, kRegQueueDescLow, 0x4010'0000);
    wr(t, kRegQueueDriverLow, 0x4010'1000);
    wr(t, kRegQueueDriverHigh, 0);
    wr(t, kRegQueueDeviceLow, 0x4010'2000);
    wr(t, kRegQueueReady, 1);
    wr(t, kRegStatus, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
  }
};

TEST(VirtioMmio, EveryTransportIdentifiesAsModernVirtioAndOnlyTheRngHasADevice) {
  Bench b;
  for (unsigned t = 0; t < VirtioMmioBank::kTransports; ++t) {
    EXPECT_EQ(b.rd(t, kRegMagic), kMagic);
    EXPECT_EQ(b.rd(t, kRegVersion), 2u);
    EXPECT_EQ(b.rd(t, kRegVendorId), kVendorQemu);
    EXPECT_EQ(b.rd(t, kRegDeviceId), t == Bench::kRng ? 4u : 0u) << t;
  }
}

TEST(VirtioMmio, AnEmptyTransportIgnoresWrites) {
  Bench b;
  b.wr(0, kRegStatus, kStatusAcknowledge);
  b.wr(0, kRegQueueNotify, 0);
  EXPECT_EQ(b.rd(0, kRegStatus), 0u);
  EXPECT_EQ(b.rd(0, kRegQueueNumMax), 0u);
  EXPECT_TRUE(b.host.doorbells.empty());
}

TEST(VirtioMmio, OffersOnlyVersion1) {
  Bench b;
  b.wr(Bench::kRng, kRegDeviceFeaturesSel, 0);
  EXPECT_EQ(b.rd(Bench::kRng, kRegDeviceFeatures), 0u);
  b.wr(Bench::kRng, kRegDeviceFeaturesSel, 1);
  EXPECT_EQ(b.rd(Bench::kRng, kRegDeviceFeatures), 1u);
  b.wr(Bench::kRng, kRegDeviceFeaturesSel, 2);
  EXPECT_EQ(b.rd(Bench::kRng, kRegDeviceFeatures), 0u);
}

TEST(VirtioMmio, FeaturesOkIsRefusedForFeaturesNotOffered) {
  Bench b;
  const unsigned t = Bench::kRng;
  b.wr(t, kRegStatus, kStatusAcknowledge | kStatusDriver);
  b.wr(t, kRegDriverFeaturesSel, 0);
  b.wr(t, kRegDriverFeatures, 1u << 28);  // INDIRECT_DESC: not offered
  b.wr(t, kRegStatus, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
  EXPECT_EQ(b.rd(t, kRegStatus), kStatusAcknowledge | kStatusDriver);
  b.wr(t, kRegDriverFeatures, 0);
  b.wr(t, kRegStatus, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
  EXPECT_EQ(b.rd(t, kRegStatus), kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
}

TEST(VirtioMmio, TheQueueHasQemusSizeAndRefusesOthers) {
  Bench b;
  const unsigned t = Bench::kRng;
  EXPECT_EQ(b.rd(t, kRegQueueNumMax), 1024u);
  b.wr(t, kRegQueueSel, 1);  // virtio-rng has one queue
  EXPECT_EQ(b.rd(t, kRegQueueNumMax), 0u);
}

TEST(VirtioMmio, NotifyOfAReadyQueueRingsTheDoorbellWithTheQueueConfiguration) {
  Bench b;
  b.bring_up();
  b.wr(Bench::kRng, kRegQueueNotify, 0);
  ASSERT_EQ(b.host.doorbells.size(), 1u);
  const auto& d = b.host.doorbells[0];
  EXPECT_EQ(d.transport, Bench::kRng);
  EXPECT_EQ(d.queue, 0u);
  EXPECT_EQ(d.device_type, 4u);
  EXPECT_EQ(d.queue_size, 8u);
  EXPECT_EQ(d.desc, 0x4010'0000u);
  EXPECT_EQ(d.driver, 0x4010'1000u);
  EXPECT_EQ(d.device, 0x4010'2000u);
  EXPECT_EQ(d.generation, b.bank.transport(Bench::kRng).generation());
}

TEST(VirtioMmio, NoDoorbellBeforeDriverOkOrForAQueueThatIsNotThere) {
  Bench b;
  const unsigned t = Bench::kRng;
  b.wr(t, kRegStatus, kStatusAcknowledge | kStatusDriver);
  b.wr(t, kRegQueueReady, 1);
  b.wr(t, kRegQueueNotify, 0);
  b.bring_up();
  b.wr(t, kRegQueueNotify, 1);
  b.wr(t, kRegQueueNotify, 0xffff);
  EXPECT_TRUE(b.host.doorbells.empty());
}

TEST(VirtioMmio, UsedBufferRaisesTheLineUntilAcknowledged) {
  Bench b;
  const unsigned t = Bench::kRng;
  b.bring_up();
  b.wr(t, kRegQueueNotify, 0);
  b.bank.transport(t).used_buffer(b.host.doorbells.at(0).generation);
  EXPECT_EQ(b.rd(t, kRegInterruptStatus), kIntUsedBuffer);
  ASSERT_EQ(b.host.levels.size(), 1u);
  EXPECT_EQ(b.host.levels[0], std::make_pair(t, true));
  b.wr(t, kRegInterruptAck, kIntUsedBuffer);
  EXPECT_EQ(b.rd(t, kRegInterruptStatus), 0u);
  EXPECT_EQ(b.host.levels.back(), std::make_pair(t, false));
  EXPECT_EQ(VirtioMmioBank::intid(t), 32u + 16u + t);
}

TEST(VirtioMmio, AnAnswerToADoorbellFromBeforeAResetIsDropped) {
  Bench b;
  const unsigned t = Bench::kRng;
  b.bring_up();
  b.wr(t, kRegQueueNotify, 0);
  const uint32_t old = b.host.doorbells.at(0).generation;
  b.bring_up();  // writes status 0 first: a reset
  b.bank.transport(t).used_buffer(old);
  b.bank.transport(t).needs_reset(old);
  EXPECT_EQ(b.rd(t, kRegInterruptStatus), 0u);
  EXPECT_TRUE(b.host.levels.empty());
}

TEST(VirtioMmio, NeedsResetSetsTheStatusBitAndAConfigInterruptAndStopsDoorbells) {
  Bench b;
  const unsigned t = Bench::kRng;
  b.bring_up();
  b.wr(t, kRegQueueNotify, 0);
  b.bank.transport(t).needs_reset(b.host.doorbells.at(0).generation);
  EXPECT_NE(b.rd(t, kRegStatus) & kStatusNeedsReset, 0u);
  EXPECT_EQ(b.rd(t, kRegInterruptStatus), kIntConfigChange);
  b.wr(t, kRegQueueNotify, 0);
  EXPECT_EQ(b.host.doorbells.size(), 1u);
  // Only a reset clears it; then the device works again.
  b.bring_up();
  EXPECT_EQ(b.rd(t, kRegStatus) & kStatusNeedsReset, 0u);
  b.wr(t, kRegQueueNotify, 0);
  EXPECT_EQ(b.host.doorbells.size(), 2u);
}

TEST(VirtioMmio, StatusZeroResetsEverythingAndLowersTheLine) {
  Bench b;
  const unsigned t = Bench::kRng;
  b.bring_up();
  b.wr(t, kRegQueueNotify, 0);
  b.bank.transport(t).used_buffer(b.host.doorbells.at(0).generation);
  b.wr(t, kRegStatus, 0);
  EXPECT_EQ(b.rd(t, kRegStatus), 0u);
  EXPECT_EQ(b.rd(t, kRegQueueReady), 0u);
  EXPECT_EQ(b.rd(t, kRegInterruptStatus), 0u);
  EXPECT_EQ(b.host.levels.back(), std::make_pair(t, false));
  EXPECT_TRUE(b.bank.transport(t).state() == b.bank.transport(t).reset_state());
}

TEST(VirtioMmio, RegistersNeedAligned32BitAccesses) {
  Bench b;
  EXPECT_EQ(b.bank.read(Bench::kRng * VirtioMmioTransport::kSize, 1), 0u);
  EXPECT_EQ(b.bank.read(Bench::kRng * VirtioMmioTransport::kSize + 2, 4), 0u);
}

TEST(VirtioMmio, RestoreRefusesStatesNoRegisterWriteProduces) {
  Bench b;
  b.bring_up();
  std::vector<uint8_t> rec(b.bank.snapshot_size());
  ASSERT_TRUE(b.bank.save(rec.data(), rec.size()).is_ok());
  // Offsets in the payload (virtio_mmio_bank.h): transport t's record,
  // its status byte, and its first queue's num.
  auto at = [](unsigned t, size_t field) {
    return kSnapshotHeaderBytes + t * VirtioMmioBank::kTransportRecord + field;
  };
  auto refused = [&](size_t offset, uint8_t value) {
    std::vector<uint8_t> bad = rec;
    bad[offset] = value;
    const uint32_t sum =
        snapshot_checksum(bad.data() + kSnapshotHeaderBytes, bad.size() - kSnapshotHeaderBytes);
    for (int i = 0; i < 4; ++i) bad[12 + i] = static_cast<uint8_t>(sum >> (8 * i));
    VirtioMmioBank fresh{DeviceWiring{}};
    return fresh.restore(bad.data(), bad.size()).is_error();
  };
  EXPECT_TRUE(refused(at(0, 24), kStatusAcknowledge));  // an empty transport with a status
  EXPECT_TRUE(refused(at(Bench::kRng, 27), 5));         // QueueNum 1288, above QueueNumMax
  EXPECT_TRUE(refused(at(Bench::kRng, 26), 0));         // QueueNum 0
  EXPECT_TRUE(refused(at(Bench::kRng, 0), 1));          // another device behind it
  EXPECT_TRUE(refused(at(Bench::kRng, 26 + 27), 1));    // the second queue it lacks
  EXPECT_TRUE(refused(at(Bench::kRng, 25), 4));         // an InterruptStatus bit not defined
  EXPECT_FALSE(refused(at(Bench::kRng, 26), 4));        // a smaller queue is fine
}

TEST(VirtioMmio, RestoredDeviceKeepsWorkingButDropsAnswersFromBefore) {
  Bench b;
  b.bring_up();
  b.wr(Bench::kRng, kRegQueueNotify, 0);
  std::vector<uint8_t> rec(b.bank.snapshot_size());
  ASSERT_TRUE(b.bank.save(rec.data(), rec.size()).is_ok());
  ASSERT_TRUE(b.bank.restore(rec.data(), rec.size()).is_ok());
  b.bank.transport(Bench::kRng).used_buffer(b.host.doorbells.at(0).generation);
  EXPECT_EQ(b.rd(Bench::kRng, kRegInterruptStatus), 0u);
  b.wr(Bench::kRng, kRegQueueNotify, 0);
  ASSERT_EQ(b.host.doorbells.size(), 2u);
  EXPECT_EQ(b.host.doorbells[1].desc, 0x4010'0000u);
}

TEST(VirtioMmio, ANetDeviceSitsBelowTheDisksWithItsMacAndTwoQueues) {
  Bench b;
  BootDisk disks[2] = {{2048, 0, 0}, {2048, 0, 0}};
  b.bank.configure_disks(disks, 2);
  BootNet net{{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, 0, 0, 0};
  b.bank.configure_net(&net, 2);
  const unsigned t = VirtioMmioBank::net_transport(2);
  EXPECT_EQ(t, 28u);  // QEMU: rng 31, disks 30 and 29, then the NIC
  EXPECT_EQ(b.rd(t, kRegDeviceId), 1u);
  b.wr(t, kRegDeviceFeaturesSel, 0);
  EXPECT_EQ(b.rd(t, kRegDeviceFeatures), uint32_t(kNetFeatureMac));
  b.wr(t, kRegDeviceFeaturesSel, 1);
  EXPECT_EQ(b.rd(t, kRegDeviceFeatures), 1u);  // VERSION_1
  for (unsigned i = 0; i < 6; ++i)
    EXPECT_EQ(b.bank.read(t * VirtioMmioTransport::kSize + kRegConfig + i, 1), net.mac[i]);
  EXPECT_EQ(b.bank.read(t * VirtioMmioTransport::kSize + kRegConfig + 6, 2), 0u);
  for (uint32_t q : {0u, 1u}) {
    b.wr(t, kRegQueueSel, q);
    EXPECT_EQ(b.rd(t, kRegQueueNumMax), 256u) << q;
  }
  b.wr(t, kRegQueueSel, 2);
  EXPECT_EQ(b.rd(t, kRegQueueNumMax), 0u);
  // A reset tells the highvisor, with the new generation.
  b.host.doorbells.clear();
  b.wr(t, kRegStatus, 0);
  ASSERT_EQ(b.host.doorbells.size(), 1u);
  EXPECT_EQ(b.host.doorbells[0].queue, kNotifyReset);
  EXPECT_EQ(b.host.doorbells[0].transport, t);
  EXPECT_EQ(b.host.doorbells[0].generation, b.bank.transport(t).generation());
  // The next run without a network leaves the transport empty.
  b.bank.configure_disks(disks, 2);
  EXPECT_EQ(b.rd(t, kRegDeviceId), 0u);
}

}  // namespace
}  // namespace nestlab
