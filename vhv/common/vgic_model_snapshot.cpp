// The vGIC model's snapshot payloads (vgic_model.h, Apply). One INTID is
// a flags byte (enabled, pending, active, edge, group 1) and its priority;
// an SPI adds its GICD_IROUTER target. Values the register interface can
// never produce are refused: priority bits below the five implemented,
// a level-sensitive SGI, a GICD_CTLR without ARE and DS, a redistributor
// of a vCPU the VM does not have that is not in its reset state.
#include "vhv/common/vgic_model.h"

namespace nestlab::vgic {
namespace {

constexpr uint8_t kEnabled = 1u << 0, kPending = 1u << 1, kActive = 1u << 2, kEdge = 1u << 3,
                  kGroup1 = 1u << 4, kAllFlags = 0x1f;
constexpr uint8_t kPriorityMask = 0xf8;  // 5 bits, as GicModel::shared_write keeps them

uint8_t flags_of(const Irq& q) {
  return (q.enabled ? kEnabled : 0) | (q.pending ? kPending : 0) | (q.active ? kActive : 0) |
         (q.edge ? kEdge : 0) | (q.group1 ? kGroup1 : 0);
}

// Everything of an Irq but `hw`, which is wiring and stays.
void apply_flags(Irq& q, uint8_t flags, uint8_t priority, uint8_t target) {
  q.enabled = flags & kEnabled;
  q.pending = flags & kPending;
  q.active = flags & kActive;
  q.edge = flags & kEdge;
  q.group1 = flags & kGroup1;
  q.priority = priority;
  q.target = target;
}

}  // namespace

void GicModel::encode_distributor(SnapshotWriter& w) const {
  w.u32(m_ctlr);
  for (const Irq& q : m_spi) {
    w.u8(flags_of(q));
    w.u8(q.priority);
    w.u8(q.target);
  }
}

Result<void, SnapshotError> GicModel::decode_distributor(SnapshotReader& r, Apply apply) {
  const uint32_t ctlr = r.u32_mask(kCtlrEnableGrp0 | kCtlrEnableGrp1 | kCtlrAre | kCtlrDs);
  if ((ctlr & (kCtlrAre | kCtlrDs)) != (kCtlrAre | kCtlrDs)) r.reject(SnapshotError::OutOfRange);
  if (apply == Apply::Yes) m_ctlr = ctlr;
  for (Irq& q : m_spi) {
    const uint8_t flags = r.u8_mask(kAllFlags);
    const uint8_t priority = r.u8_mask(kPriorityMask);
    const uint8_t target = r.u8();  // any Aff0 the guest wrote (dist_write keeps 8 bits)
    if (apply == Apply::Yes) apply_flags(q, flags, priority, target);
  }
  return r.finish();
}

void GicModel::encode_redistributors(SnapshotWriter& w) const {
  w.u8(static_cast<uint8_t>(m_vcpus));
  for (bool asleep : m_sleep) w.boolean(asleep);
  for (const auto& row : m_private)
    for (const Irq& q : row) {
      w.u8(flags_of(q));
      w.u8(q.priority);
    }
}

Result<void, SnapshotError> GicModel::decode_redistributors(SnapshotReader& r, Apply apply) {
  // The vCPU count is the VM's configuration, not state the guest can
  // change: a snapshot of another shape is refused, not adopted.
  const uint8_t vcpus = r.u8();
  if (vcpus == 0 || vcpus > kMaxVcpus)
    r.reject(SnapshotError::OutOfRange);
  else if (vcpus != m_vcpus)
    r.reject(SnapshotError::Mismatch);
  for (unsigned v = 0; v < kMaxVcpus; ++v) {
    const bool asleep = r.boolean();
    if (v >= vcpus && !asleep) r.reject(SnapshotError::OutOfRange);
    if (apply == Apply::Yes) m_sleep[v] = asleep;
  }
  for (unsigned v = 0; v < kMaxVcpus; ++v)
    for (unsigned i = 0; i < kPrivate; ++i) {
      const uint8_t flags = r.u8_mask(kAllFlags);
      const uint8_t priority = r.u8_mask(kPriorityMask);
      const bool sgi = i < 16;
      if (sgi && !(flags & kEdge)) r.reject(SnapshotError::OutOfRange);
      // Nothing reaches a vCPU the VM does not have (redist_write and
      // send_sgi stop at m_vcpus): its INTIDs keep their reset values.
      if (v >= vcpus && (flags != (sgi ? kEdge : 0) || priority != 0))
        r.reject(SnapshotError::OutOfRange);
      if (apply == Apply::Yes) apply_flags(m_private[v][i], flags, priority, 0);
    }
  return r.finish();
}

}  // namespace nestlab::vgic
