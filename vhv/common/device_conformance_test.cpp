// The conformance test every registered device passes (guest_devices.h):
// driven through its registers into a non-trivial state, saved, restored
// into a fresh instance and saved again, the bytes and the behaviour are
// the same; and restore refuses truncated, oversized, wrong-version,
// foreign and damaged snapshots without changing the device. A device
// added to NESTLAB_GUEST_DEVICES is tested here without a line of its own.
#include "vhv/common/guest_devices.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace nestlab::conformance_test {
namespace {

using Bytes = std::vector<uint8_t>;

class NullSink final : public ConsoleSink {
 public:
  void put(uint8_t) override { ++bytes; }
  size_t bytes = 0;
};

// One VM's devices on host wiring: 2 vCPUs, so that the GIC's
// redistributor region has more than one frame.
struct Bench {
  explicit Bench(unsigned vcpus = 2) { model.reset(vcpus); }
  Device& device(DeviceId id) { return devices.device(id); }
  vgic::GicModel model;
  NullSink sink;
  GuestDevices devices{DeviceWiring{&sink, nullptr, &model, nullptr}};
};

Bytes save(const Device& d) {
  Bytes out(d.snapshot_size() + 64, 0xcc);
  auto n = d.save(out.data(), out.size());
  EXPECT_TRUE(n.is_ok());
  EXPECT_EQ(n.is_ok() ? n.value() : 0, d.snapshot_size());
  out.resize(n.is_ok() ? n.value() : 0);
  return out;
}

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// After editing a payload: the checksum that makes it well formed again.
void reseal(Bytes& b) {
  put32(b.data() + 12,
        snapshot_checksum(b.data() + kSnapshotHeaderBytes, b.size() - kSnapshotHeaderBytes));
}

// The registers a device decodes: a GIC redistributor region is 0xf60000
// bytes, but only the frames of the vCPUs the VM has hold anything.
uint64_t window(const Device& d) { return std::min<uint64_t>(d.descriptor().size, 0x40000); }

// Random register traffic: naturally aligned accesses of 1 to 8 bytes,
// three writes to a read, values either random or all ones (enables,
// pendings) or small (indices, levels).
void drive(Device& d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint64_t span = window(d);
  for (int i = 0; i < 40000; ++i) {
    const unsigned size = 1u << (rng() % 4);
    const uint64_t offset = (rng() % span) & ~uint64_t(size - 1);
    // Bias toward the first 4 KiB of each 64 KiB frame, where the control
    // and per-INTID registers are.
    const uint64_t off = (rng() % 2) ? offset : (offset & ~0xffffull) | (offset & 0xfff);
    uint64_t value = rng();
    switch (rng() % 4) {
      case 0: value = ~0ull; break;
      case 1: value &= 0xff; break;
      default: break;
    }
    if (rng() % 4 == 0)
      (void)d.read(off, size);
    else
      d.write(off, size, value);
  }
}

// What a guest would see reading every word of the device, in order.
std::vector<uint64_t> read_all(Device& d) {
  std::vector<uint64_t> out;
  for (uint64_t off = 0; off < window(d); off += 4) out.push_back(d.read(off, 4));
  return out;
}

class Conformance : public ::testing::TestWithParam<size_t> {
 protected:
  DeviceId id() const { return static_cast<DeviceId>(GetParam()); }
};

TEST_P(Conformance, SaveRestoreSaveIsEqual) {
  for (uint64_t seed : {1, 2, 3}) {
    Bench a;
    drive(a.device(id()), seed);
    const Bytes first = save(a.device(id()));
    ASSERT_NE(first, save(Bench().device(id()))) << "the drive left the device in reset state";
    Bench b;
    auto restored = b.device(id()).restore(first.data(), first.size());
    ASSERT_TRUE(restored.is_ok()) << describe(restored.error());
    EXPECT_EQ(save(b.device(id())), first);
    // The same state behaves the same: every register reads alike (reads
    // with side effects, such as the PL011's DR, in the same order), and
    // both are still equal afterwards.
    EXPECT_EQ(read_all(a.device(id())), read_all(b.device(id())));
    EXPECT_EQ(save(a.device(id())), save(b.device(id())));
  }
}

TEST_P(Conformance, ResetGivesTheFreshState) {
  Bench a;
  drive(a.device(id()), 7);
  a.device(id()).reset();
  EXPECT_EQ(save(a.device(id())), save(Bench().device(id())));
}

TEST_P(Conformance, SaveNeedsRoomForTheWholeRecord) {
  Bench a;
  Bytes buf(a.device(id()).snapshot_size() - 1);
  auto n = a.device(id()).save(buf.data(), buf.size());
  ASSERT_TRUE(n.is_error());
  EXPECT_EQ(n.error(), SnapshotError::NoSpace);
}

// Restore refuses `bad` and leaves a driven device exactly as it was.
void expect_refused(DeviceId id, const Bytes& bad, const char* what) {
  Bench a;
  drive(a.device(id), 11);
  const Bytes before = save(a.device(id));
  auto r = a.device(id).restore(bad.data(), bad.size());
  EXPECT_TRUE(r.is_error()) << what;
  EXPECT_EQ(save(a.device(id)), before) << what << ": a refused restore changed the device";
}

TEST_P(Conformance, TruncatedSnapshotsAreRefused) {
  Bench a;
  drive(a.device(id()), 4);
  const Bytes good = save(a.device(id()));
  for (size_t len = 0; len < good.size(); ++len) {
    Bench b;
    auto r = b.device(id()).restore(good.data(), len);
    ASSERT_TRUE(r.is_error()) << "length " << len;
    EXPECT_EQ(r.error(), SnapshotError::Truncated) << "length " << len;
  }
  EXPECT_TRUE(Bench().device(id()).restore(nullptr, 0).is_error());
}

TEST_P(Conformance, OversizedSnapshotsAreRefused) {
  Bench a;
  drive(a.device(id()), 5);
  const Bytes good = save(a.device(id()));
  for (size_t extra : {1, 3, 16, 4096}) {
    Bytes longer = good;
    longer.resize(good.size() + extra, 0);
    expect_refused(id(), longer, "trailing bytes");
    // The header claims the longer payload too, checksum and all.
    put32(longer.data() + 8, static_cast<uint32_t>(longer.size() - kSnapshotHeaderBytes));
    reseal(longer);
    Bench b;
    auto r = b.device(id()).restore(longer.data(), longer.size());
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), SnapshotError::BadSize);
  }
  Bytes huge = good;
  put32(huge.data() + 8, 0xffff'ffff);  // a size that would run off the end
  expect_refused(id(), huge, "payload size 4 GiB");
}

TEST_P(Conformance, OtherVersionsAndOtherDevicesAreRefused) {
  Bench a;
  drive(a.device(id()), 6);
  const Bytes good = save(a.device(id()));
  const uint16_t version = static_cast<uint16_t>(good[4] | good[5] << 8);
  for (uint16_t v : {uint16_t(0), uint16_t(version + 1), uint16_t(0xffff)}) {
    Bytes other = good;
    other[4] = static_cast<uint8_t>(v);
    other[5] = static_cast<uint8_t>(v >> 8);
    Bench b;
    auto r = b.device(id()).restore(other.data(), other.size());
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), SnapshotError::WrongVersion);
  }
  for (size_t j = 0; j < kDeviceCount; ++j) {
    if (j == GetParam()) continue;
    const Bytes foreign = save(Bench().device(static_cast<DeviceId>(j)));
    Bench b;
    auto r = b.device(id()).restore(foreign.data(), foreign.size());
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), SnapshotError::BadMagic)
        << device_descriptor(static_cast<DeviceId>(j)).name;
  }
}

TEST_P(Conformance, EveryFlippedBitIsRefused) {
  Bench a;
  drive(a.device(id()), 8);
  const Bytes good = save(a.device(id()));
  Bench target;
  drive(target.device(id()), 9);
  const Bytes before = save(target.device(id()));
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    Bytes bad = good;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = target.device(id()).restore(bad.data(), bad.size());
    ASSERT_TRUE(r.is_error()) << "bit " << bit;
  }
  EXPECT_EQ(save(target.device(id())), before);
}

// With the checksum made right again, only the field checks stand between
// damaged bytes and the device. Each flipped payload bit is then either
// refused as out of range, or names another state the device can be in;
// in that case saving it gives back exactly those bytes, so restore never
// clamped, dropped or ignored a value.
TEST_P(Conformance, ResealedDamageIsRefusedOrIsAnotherRealState) {
  Bench a;
  drive(a.device(id()), 10);
  const Bytes good = save(a.device(id()));
  size_t refused = 0;
  for (size_t bit = kSnapshotHeaderBytes * 8; bit < good.size() * 8; ++bit) {
    Bytes bad = good;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    reseal(bad);
    Bench b;
    const Bytes fresh = save(b.device(id()));
    auto r = b.device(id()).restore(bad.data(), bad.size());
    if (r.is_error()) {
      ++refused;
      EXPECT_TRUE(r.error() == SnapshotError::OutOfRange || r.error() == SnapshotError::Mismatch)
          << "bit " << bit << ": " << describe(r.error());
      EXPECT_EQ(save(b.device(id())), fresh) << "bit " << bit;
    } else {
      EXPECT_EQ(save(b.device(id())), bad) << "bit " << bit;
    }
  }
  EXPECT_GT(refused, 0u) << "no field of the snapshot is range-checked";
}

TEST_P(Conformance, RandomWellFormedRecordsNeverCrash) {
  Bench a;
  const Bytes good = save(a.device(id()));
  std::mt19937_64 rng(12);
  for (int i = 0; i < 2000; ++i) {
    Bytes junk = good;
    for (size_t k = kSnapshotHeaderBytes; k < junk.size(); ++k)
      if (rng() % 8 == 0) junk[k] = static_cast<uint8_t>(rng());
    reseal(junk);
    Bench b;
    auto r = b.device(id()).restore(junk.data(), junk.size());
    if (r.is_ok()) {
      EXPECT_EQ(save(b.device(id())), junk);
    }
  }
}

std::string device_name(const ::testing::TestParamInfo<size_t>& info) {
  std::string s = device_descriptor(static_cast<DeviceId>(info.param)).name;
  for (char& c : s)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredDevice, Conformance,
                         ::testing::Range<size_t>(0, kDeviceCount), device_name);

// The table itself: every device is described, none overlaps another at
// QEMU virt's places, and every MMIO map the lowvisor builds from it holds
// them all.
TEST(DeviceTable, EveryDeviceIsPlacedAndMapped) {
  Bench a;
  MmioMap map;
  ASSERT_TRUE(a.devices.register_mmio(map, DevicePlacement::qemu_virt()).is_ok());
  EXPECT_EQ(map.count(), kDeviceCount);
  for (size_t i = 0; i < kDeviceCount; ++i) {
    const auto id = static_cast<DeviceId>(i);
    const DeviceDescriptor& d = device_descriptor(id);
    EXPECT_EQ(&a.device(id).descriptor(), &d);
    const MmioRegion* r = map.find(d.base, 4);
    ASSERT_NE(r, nullptr) << d.name;
    EXPECT_EQ(r->device, &a.device(id)) << d.name;
    EXPECT_EQ(r->size, d.size) << d.name;
  }
  const DevicePlacement moved = DevicePlacement::qemu_virt(0x0a3c'5000);
  EXPECT_EQ(moved.of(DeviceId::Pl011), 0x0a3c'5000u);
  EXPECT_EQ(moved.of(DeviceId::GicDistributor), 0x0800'0000u);
}

}  // namespace
}  // namespace nestlab::conformance_test
