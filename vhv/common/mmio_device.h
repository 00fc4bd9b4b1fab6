// An emulated MMIO device as the lowvisor's trap path sees it: accesses
// relative to the device base, at most 8 bytes, naturally aligned as the
// guest issued them.
//
// Threading contract: a device is called only from the vCPU that trapped,
// with interrupts masked at EL2 (one physical CPU runs the lowvisor); it
// needs no locking. Devices never block.
#pragma once

#include <cstdint>

namespace nestlab {

class MmioDevice {
 public:
  virtual const char* name() const = 0;
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, unsigned size, uint64_t value) = 0;

 protected:
  MmioDevice() = default;
  ~MmioDevice() = default;  // not deleted through this interface
  MmioDevice(const MmioDevice&) = default;
  MmioDevice& operator=(const MmioDevice&) = default;
};

}  // namespace nestlab
