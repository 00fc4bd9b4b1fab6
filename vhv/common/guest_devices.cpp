#include "vhv/common/guest_devices.h"

namespace nestlab {
namespace {

#define NESTLAB_DEVICE_DESCRIPTOR(Type, member) &Type::kDescriptor,
constexpr const DeviceDescriptor* kDescriptors[] = {
    NESTLAB_GUEST_DEVICES(NESTLAB_DEVICE_DESCRIPTOR)};
#undef NESTLAB_DEVICE_DESCRIPTOR
static_assert(sizeof(kDescriptors) / sizeof(kDescriptors[0]) == kDeviceCount);

}  // namespace

const DeviceDescriptor& device_descriptor(DeviceId id) {
  return *kDescriptors[static_cast<size_t>(id) % kDeviceCount];
}

DevicePlacement DevicePlacement::qemu_virt(uint64_t pl011_ipa) {
  DevicePlacement p{};
  for (size_t i = 0; i < kDeviceCount; ++i) p.base[i] = kDescriptors[i]->base;
  if (pl011_ipa != 0) p.base[static_cast<size_t>(DeviceId::Pl011)] = pl011_ipa;
  return p;
}

Device& GuestDevices::device(DeviceId id) {
  switch (id) {
#define NESTLAB_DEVICE_CASE(Type, member) \
  case DeviceId::Type: return m_##member;
    NESTLAB_GUEST_DEVICES(NESTLAB_DEVICE_CASE)
#undef NESTLAB_DEVICE_CASE
  }
  return m_pl011;  // unreachable: the switch covers every DeviceId
}

const Device& GuestDevices::device(DeviceId id) const {
  return const_cast<GuestDevices*>(this)->device(id);
}

void GuestDevices::reset() {
  for (size_t i = 0; i < kDeviceCount; ++i) device(static_cast<DeviceId>(i)).reset();
}

Result<void, DeviceMapFailure> GuestDevices::register_mmio(MmioMap& map,
                                                           const DevicePlacement& at) {
  for (size_t i = 0; i < kDeviceCount; ++i) {
    const auto id = static_cast<DeviceId>(i);
    auto added = map.add(at.of(id), kDescriptors[i]->size, &device(id));
    if (added.is_error()) return Err{DeviceMapFailure{id, added.error()}};
  }
  return {};
}

}  // namespace nestlab
