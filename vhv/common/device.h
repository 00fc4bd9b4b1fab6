// The device contract: every emulated device of a guest is one class with
// read/write (MmioDevice), reset, save and restore, plus a descriptor that
// says where the guest finds it. Devices are registered in one place,
// vhv/common/guest_devices.h, from which both the VM's MMIO map and its
// device-tree nodes are built; adding a device is its own file(s) plus one
// line there.
//
// Threading contract (as MmioDevice): called only with the VM's vCPUs
// serialised (sched_lock() in the lowvisor); reset and restore only while
// none of its vCPUs runs (VM start, reboot, checkpoint restore).
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "vhv/common/guest_inventory.h"
#include "vhv/common/mmio_device.h"
#include "vhv/common/snapshot.h"

namespace nestlab {

class ConsoleSink;
class ConsoleSource;
class FdtWriter;
class GicObserver;
class VirtioHost;
class RtcBackend;
struct DevicePlacement;
namespace vgic {
class GicModel;
}

// A device's interrupt line as the device tree names it (arm,gic-v3.yaml):
// SPI n is INTID 32 + n, PPI n is INTID 16 + n.
struct DeviceIrq {
  enum class Kind : uint8_t { None, Spi, Ppi };
  Kind kind = Kind::None;
  uint32_t number = 0;

  constexpr uint32_t intid() const {
    return kind == Kind::Spi ? 32 + number : (kind == Kind::Ppi ? 16 + number : 0);
  }
};

struct DeviceDescriptor {
  const char* name;  // as in logs and snapshots
  uint64_t base;     // QEMU virt's place (DESIGN.md "The guest platform"); a VM may move it
  uint64_t size;
  DeviceIrq irq;
  // The inventory entry (guest_fdt.h) under which the device is described:
  // its node appears where that entry does, and only if it is listed.
  GuestDevice inventory;
  // Writes the device's node(s) for a VM whose devices sit at `at`. Null:
  // another device's node describes this one too (the GIC redistributors
  // are a second `reg` of the GIC's node).
  void (*fdt_node)(FdtWriter& w, const DevicePlacement& at);
};

// What devices are connected to, supplied by whoever owns the VM (the
// lowvisor's Vm, or a test). Any pointer may be null: that output is
// dropped. Not owned.
struct DeviceWiring {
  ConsoleSink* console_sink = nullptr;
  ConsoleSource* console_source = nullptr;
  vgic::GicModel* gic = nullptr;  // the state the GIC frames present; never null for them
  GicObserver* gic_observer = nullptr;
  VirtioHost* virtio = nullptr;  // doorbells and interrupt lines of the virtio transports
  RtcBackend* rtc = nullptr;     // the PL031's clock, alarm and line
};

class Device : public MmioDevice {
 public:
  virtual const DeviceDescriptor& descriptor() const = 0;
  // The power-on state. Wiring (sinks, the vGIC's hardware-backed INTIDs)
  // stays; an interrupt line that was high is lowered.
  virtual void reset() = 0;
  // Exact size of what save() writes (header included).
  virtual size_t snapshot_size() const = 0;
  // The device's state as one record (vhv/common/snapshot.h); its size.
  [[nodiscard]] virtual Result<size_t, SnapshotError> save(uint8_t* out, size_t len) const = 0;
  // All or nothing: on success the device is in the saved state (and
  // saving it again gives the same bytes); on failure it is unchanged.
  // `data` is untrusted: every field is checked.
  [[nodiscard]] virtual Result<void, SnapshotError> restore(const uint8_t* data, size_t len) = 0;

 protected:
  Device() = default;
  ~Device() = default;  // not deleted through this interface
  Device(const Device&) = default;
  Device& operator=(const Device&) = default;
};

}  // namespace nestlab
