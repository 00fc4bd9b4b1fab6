#include "vhv/common/gic_frames.h"

#include "vhv/common/device_fdt.h"
#include "vhv/common/format.h"
#include "vhv/common/guest_devices.h"
#include "vhv/common/layout.h"

namespace nestlab {
namespace {

using vgic::GicModel;

// The GIC's node, as QEMU virt writes it (hw/arm/virt.c create_gic): one
// node for both frames, the redistributor region as its second `reg`.
void gic_node(FdtWriter& w, const DevicePlacement& at) {
  const uint64_t d = at.of(DeviceId::GicDistributor);
  const uint64_t r = at.of(DeviceId::GicRedistributors);
  char name[32];
  format(name, sizeof(name), "intc@%llx", static_cast<unsigned long long>(d));
  w.begin_node(name);
  w.prop_string("compatible", "arm,gic-v3");
  w.prop_u32("#interrupt-cells", 3);
  w.prop_empty("interrupt-controller");
  w.prop_u32("#address-cells", 2);
  w.prop_u32("#size-cells", 2);
  w.prop_empty("ranges");
  w.prop_u32("#redistributor-regions", 1);
  const uint64_t ds = GicDistributor::kDescriptor.size;
  const uint64_t rs = GicRedistributors::kDescriptor.size;
  const uint32_t reg[8] = {uint32_t(d >> 32), uint32_t(d), uint32_t(ds >> 32), uint32_t(ds),
                           uint32_t(r >> 32), uint32_t(r), uint32_t(rs >> 32), uint32_t(rs)};
  w.prop_cells("reg", reg, 8);
  w.prop_u32("phandle", kPhandleGic);
  w.end_node();
}

// Both frames: check everything first, then apply, so a bad snapshot
// leaves the model as it was.
template <typename Decode>
Result<void, SnapshotError> restore_frame(const uint8_t* data, size_t len, uint32_t magic,
                                          uint16_t version, size_t payload, Decode decode) {
  constexpr GicModel::Apply kPasses[] = {GicModel::Apply::No, GicModel::Apply::Yes};
  for (const GicModel::Apply apply : kPasses) {
    auto reader = TRY(SnapshotReader::open(data, len, magic, version, payload));
    TRY(decode(reader, apply));
  }
  return {};
}

}  // namespace

const DeviceDescriptor GicDistributor::kDescriptor = {
    "gicv3-distributor", layout::kGuestGicdIpa, vgic::kGicdSize, {}, GuestDevice::Gicv3, gic_node};

const DeviceDescriptor GicRedistributors::kDescriptor = {
    "gicv3-redistributors", layout::kGuestGicrIpa,
    vgic::kGicrRegionSize,  {},
    GuestDevice::Gicv3,     nullptr};

uint64_t GicDistributor::read(uint64_t offset, unsigned size) {
  return m_model->dist_read(offset, size);
}

void GicDistributor::write(uint64_t offset, unsigned size, uint64_t value) {
  m_model->dist_write(offset, size, value);
  if (m_observer) m_observer->distributor_written();
}

void GicDistributor::reset() {
  m_model->reset_distributor();
  if (m_observer) m_observer->state_replaced();
}

size_t GicDistributor::snapshot_size() const {
  return kSnapshotHeaderBytes + GicModel::kDistributorPayload;
}

Result<size_t, SnapshotError> GicDistributor::save(uint8_t* out, size_t len) const {
  SnapshotWriter w(out, len, kSnapshotMagic, kSnapshotVersion);
  m_model->encode_distributor(w);
  return w.finish();
}

Result<void, SnapshotError> GicDistributor::restore(const uint8_t* data, size_t len) {
  TRY(restore_frame(
      data, len, kSnapshotMagic, kSnapshotVersion, GicModel::kDistributorPayload,
      [this](SnapshotReader& r, GicModel::Apply a) { return m_model->decode_distributor(r, a); }));
  if (m_observer) m_observer->state_replaced();
  return {};
}

uint64_t GicRedistributors::read(uint64_t offset, unsigned size) {
  return m_model->redist_read(offset, size);
}

void GicRedistributors::write(uint64_t offset, unsigned size, uint64_t value) {
  m_model->redist_write(offset, size, value);
  if (m_observer)
    m_observer->redistributor_written(static_cast<unsigned>(offset / vgic::kGicrStride));
}

void GicRedistributors::reset() {
  m_model->reset_redistributors();
  if (m_observer) m_observer->state_replaced();
}

size_t GicRedistributors::snapshot_size() const {
  return kSnapshotHeaderBytes + GicModel::kRedistributorPayload;
}

Result<size_t, SnapshotError> GicRedistributors::save(uint8_t* out, size_t len) const {
  SnapshotWriter w(out, len, kSnapshotMagic, kSnapshotVersion);
  m_model->encode_redistributors(w);
  return w.finish();
}

Result<void, SnapshotError> GicRedistributors::restore(const uint8_t* data, size_t len) {
  TRY(restore_frame(data, len, kSnapshotMagic, kSnapshotVersion, GicModel::kRedistributorPayload,
                    [this](SnapshotReader& r, GicModel::Apply a) {
                      return m_model->decode_redistributors(r, a);
                    }));
  if (m_observer) m_observer->state_replaced();
  return {};
}

}  // namespace nestlab
