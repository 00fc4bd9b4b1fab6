// S3: the VM's device inventory, the list the guest's device tree is
// built from (guest_fdt.h). A device with a standard devicetree binding
// gets its standard node; nestlab's own devices (no standard binding) get
// an entry in a second table, the /nestlab-devices node, carrying a nestlab
// device ID and the compatible string of the standard component of the
// same class that a guest may fall back to ("compatible-id"). Emulated MMIO
// devices name their entry in their descriptor (device.h).
#pragma once

#include <cstdint>

namespace nestlab {

enum class GuestDevice : uint8_t {
  Psci,         // standard: arm,psci-1.0
  ArchTimer,    // standard: arm,armv8-timer
  Gicv3,        // standard: arm,gic-v3
  Pl011,        // standard: arm,pl011
  Backdoor,     // nestlab: BRK #0x5658 services (S4)
  DccChannel,   // nestlab: trapped MDCCSR_EL0 reads (S2)
  WfeWatchdog,  // nestlab: WFE channel and watchdog (S14)
  GuestInfo,    // nestlab: host/guest key-value store (S4 services 4, 5)
  VirtioMmio,   // standard: virtio,mmio (32 transports, one virtio-rng)
  Pl031,        // standard: arm,pl031
};

struct GuestDeviceInfo {
  const char* node;           // node name
  const char* nestlab_id;     // null: a standard binding
  const char* compatible_id;  // nestlab devices: the standard component of the same class
  const char* interface;      // nestlab devices: how the guest reaches it
};
const GuestDeviceInfo& guest_device_info(GuestDevice d);

// Every device a VHV's guest has today, in tree order.
inline constexpr GuestDevice kDefaultInventory[] = {
    GuestDevice::Psci,       GuestDevice::ArchTimer,   GuestDevice::Gicv3,
    GuestDevice::Pl011,      GuestDevice::Pl031,       GuestDevice::Backdoor,
    GuestDevice::DccChannel, GuestDevice::WfeWatchdog, GuestDevice::GuestInfo,
    GuestDevice::VirtioMmio};

}  // namespace nestlab
