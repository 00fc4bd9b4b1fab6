// Device snapshots (vhv/common/snapshot.h, device.h): the bytes restore
// reads will come from checkpoint files. Input: one byte choosing the
// device (low bits) and whether to fix up the header's size and checksum
// first (bit 7, so mutations reach the field checks), then the record.
// Restore must either refuse it and leave the device as it was, or accept
// it as a state whose snapshot is exactly those bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "vhv/common/guest_devices.h"

using namespace nestlab;

namespace {

class NullSink final : public ConsoleSink {
 public:
  void put(uint8_t) override {}
};

constexpr size_t kMaxRecord = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > kMaxRecord + 1) return 0;
  const auto id = static_cast<DeviceId>((data[0] & 0x7f) % kDeviceCount);
  static uint8_t record[kMaxRecord];
  const size_t len = size - 1;
  std::memcpy(record, data + 1, len);
  if ((data[0] & 0x80) && len >= kSnapshotHeaderBytes) {
    const size_t payload = len - kSnapshotHeaderBytes;
    const uint32_t sum = snapshot_checksum(record + kSnapshotHeaderBytes, payload);
    for (int i = 0; i < 4; ++i) {
      record[8 + i] = static_cast<uint8_t>(payload >> (8 * i));
      record[12 + i] = static_cast<uint8_t>(sum >> (8 * i));
    }
  }

  NullSink sink;
  vgic::GicModel model;
  model.reset(2);
  GuestDevices devices(DeviceWiring{&sink, nullptr, &model, nullptr});
  Device& dev = devices.device(id);
  static uint8_t before[kMaxRecord], after[kMaxRecord];
  auto saved = dev.save(before, sizeof before);
  if (saved.is_error() || saved.value() != dev.snapshot_size()) std::abort();

  auto restored = dev.restore(record, len);
  auto again = dev.save(after, sizeof after);
  if (again.is_error()) std::abort();
  if (restored.is_ok()) {
    if (again.value() != len || std::memcmp(after, record, len) != 0) std::abort();
  } else {
    if (describe(restored.error()) == nullptr) std::abort();
    if (again.value() != saved.value() || std::memcmp(after, before, saved.value()) != 0)
      std::abort();
  }
  return 0;
}
