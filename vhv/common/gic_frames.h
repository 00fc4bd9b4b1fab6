// The guest's GICv3 as two devices of the device contract: the
// distributor frame (GICD_*, SPIs) and the redistributor region (one
// RD_base + SGI_base pair per vCPU, SGIs and PPIs). Both present one
// vgic::GicModel, which the VM's vGIC owns; each saves the part of it
// that its frame holds, as the hardware splits it (IHI 0069 2.2).
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/device.h"
#include "vhv/common/vgic_model.h"

namespace nestlab {

// Told after the guest or the hypervisor changed the model through a
// frame, so the lowvisor's vGIC can refill list registers and kick vCPUs.
class GicObserver {
 public:
  virtual void distributor_written() = 0;
  virtual void redistributor_written(unsigned vcpu) = 0;
  // reset() or restore() replaced the state wholesale (no vCPU runs).
  virtual void state_replaced() = 0;

 protected:
  GicObserver() = default;
  ~GicObserver() = default;
};

class GicDistributor final : public Device {
 public:
  static const DeviceDescriptor kDescriptor;
  static constexpr uint32_t kSnapshotMagic = snapshot_magic("GICD");
  static constexpr uint16_t kSnapshotVersion = 1;

  explicit GicDistributor(const DeviceWiring& w) : m_model(w.gic), m_observer(w.gic_observer) {}

  const char* name() const override { return "GIC distributor"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  const DeviceDescriptor& descriptor() const override { return kDescriptor; }
  void reset() override;
  size_t snapshot_size() const override;
  Result<size_t, SnapshotError> save(uint8_t* out, size_t len) const override;
  Result<void, SnapshotError> restore(const uint8_t* data, size_t len) override;

 private:
  vgic::GicModel* m_model;  // Not owned: the VM's vGIC holds it.
  GicObserver* m_observer;  // Not owned; may be null.
};

class GicRedistributors final : public Device {
 public:
  static const DeviceDescriptor kDescriptor;
  static constexpr uint32_t kSnapshotMagic = snapshot_magic("GICR");
  static constexpr uint16_t kSnapshotVersion = 1;

  explicit GicRedistributors(const DeviceWiring& w) : m_model(w.gic), m_observer(w.gic_observer) {}

  const char* name() const override { return "GIC redistributor"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  const DeviceDescriptor& descriptor() const override { return kDescriptor; }
  void reset() override;
  size_t snapshot_size() const override;
  Result<size_t, SnapshotError> save(uint8_t* out, size_t len) const override;
  Result<void, SnapshotError> restore(const uint8_t* data, size_t len) override;

 private:
  vgic::GicModel* m_model;  // Not owned: the VM's vGIC holds it.
  GicObserver* m_observer;  // Not owned; may be null.
};

}  // namespace nestlab
