// The one registration table of a guest's emulated MMIO devices, and the
// per-VM object that holds one of each. From this table the lowvisor builds
// the VM's MMIO map (GuestDevices::register_mmio) and the device tree its
// nodes (guest_fdt.cpp), and the conformance test
// (device_conformance_test.cpp) finds every device to check.
//
// Adding a device: its class (a Device with `static const DeviceDescriptor
// kDescriptor` and a constructor from DeviceWiring) in its own files, its
// header included here, and one line in NESTLAB_GUEST_DEVICES.
//
// Freestanding: the devices are members, not allocations.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "vhv/common/device.h"
#include "vhv/common/gic_frames.h"
#include "vhv/common/mmio_map.h"
#include "vhv/common/pl011.h"
#include "vhv/common/pl031.h"
#include "vhv/common/virtio_mmio_bank.h"

namespace nestlab {

// X(Type, member), in device-tree order within an inventory entry.
#define NESTLAB_GUEST_DEVICES(X) \
  X(GicDistributor, gicd)        \
  X(GicRedistributors, gicr)     \
  X(Pl011, pl011)                \
  X(Pl031, pl031)                \
  X(VirtioMmioBank, virtio)

enum class DeviceId : uint8_t {
#define NESTLAB_DEVICE_ID(Type, member) Type,
  NESTLAB_GUEST_DEVICES(NESTLAB_DEVICE_ID)
#undef NESTLAB_DEVICE_ID
};

#define NESTLAB_DEVICE_ONE(Type, member) +1
inline constexpr size_t kDeviceCount = 0 NESTLAB_GUEST_DEVICES(NESTLAB_DEVICE_ONE);
#undef NESTLAB_DEVICE_ONE

const DeviceDescriptor& device_descriptor(DeviceId id);

// Where each device of one VM sits in its IPA space.
struct DevicePlacement {
  uint64_t base[kDeviceCount];
  uint64_t of(DeviceId id) const { return base[static_cast<size_t>(id)]; }
  // QEMU virt's map (every descriptor's base), the PL011 moved to
  // `pl011_ipa` unless that is 0 (the lab grader moves it; the caller has
  // checked the address with valid_pl011_ipa).
  static DevicePlacement qemu_virt(uint64_t pl011_ipa = 0);
};

struct DeviceMapFailure {
  DeviceId device;
  MmioMapError error;
};

class GuestDevices {
 public:
  explicit GuestDevices(const DeviceWiring& wiring) : m_wiring(wiring) {}
  GuestDevices(const GuestDevices&) = delete;
  GuestDevices& operator=(const GuestDevices&) = delete;

  Device& device(DeviceId id);
  const Device& device(DeviceId id) const;
  // Every device to its power-on state.
  void reset();
  // Adds every device to `map` at its place.
  [[nodiscard]] Result<void, DeviceMapFailure> register_mmio(MmioMap& map,
                                                             const DevicePlacement& at);

#define NESTLAB_DEVICE_ACCESSOR(Type, member) \
  Type& member() { return m_##member; }       \
  const Type& member() const { return m_##member; }
  NESTLAB_GUEST_DEVICES(NESTLAB_DEVICE_ACCESSOR)
#undef NESTLAB_DEVICE_ACCESSOR

 private:
  DeviceWiring m_wiring;  // first: the devices below are built from it
#define NESTLAB_DEVICE_MEMBER(Type, member) Type m_##member{m_wiring};
  NESTLAB_GUEST_DEVICES(NESTLAB_DEVICE_MEMBER)
#undef NESTLAB_DEVICE_MEMBER
};

}  // namespace nestlab
