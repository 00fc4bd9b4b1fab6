// The guest's GICv3 distributor and redistributors as state plus register
// semantics (IHI 0069: 12.9 GICD_*, 12.10/12.11 GICR_*), shared by the
// lowvisor's vgic/ and the host unit tests. Affinity routing is always on
// and there is one security state (GICD_CTLR.DS = 1), as on QEMU's virt
// board without secure=on. The CPU interface is the hardware's virtual one
// (ICH_* list registers); this model holds what is not in a list register.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "vhv/common/snapshot.h"

namespace nestlab::vgic {

inline constexpr unsigned kMaxVcpus = 8;
inline constexpr unsigned kPrivate = 32;  // SGIs 0..15, PPIs 16..31 per vCPU
inline constexpr unsigned kSpis = 96;     // INTIDs 32..127
inline constexpr unsigned kIntids = kPrivate + kSpis;
inline constexpr uint64_t kGicdSize = 0x10000;
inline constexpr uint64_t kGicrStride = 0x20000;  // RD_base + SGI_base per vCPU
inline constexpr uint64_t kGicrRegionSize = 0xf60000;

struct Irq {
  bool enabled = false;
  bool pending = false;
  bool active = false;
  bool edge = false;  // GICD_ICFGR: SGIs are always edge
  bool hw = false;    // backed by a physical interrupt of the same INTID: wiring the
                      // lowvisor sets, never saved or restored (a checkpoint must not
                      // hand a guest a physical interrupt)
  bool group1 = false;
  uint8_t priority = 0;
  uint8_t target = 0;  // SPIs: the vCPU GICD_IROUTER names (Aff0)
};

class GicModel {
 public:
  // Everything, hardware backing included, for `vcpus` redistributors.
  void reset(unsigned vcpus);
  // One frame's state at a time, as a device reset does (gic_frames.h):
  // GICD_CTLR and the SPIs, or every vCPU's GICR_WAKER, SGIs and PPIs.
  // Both keep `hw` and the vCPU count.
  void reset_distributor();
  void reset_redistributors();
  unsigned vcpus() const { return m_vcpus; }

  uint64_t dist_read(uint64_t offset, unsigned size) const;
  void dist_write(uint64_t offset, unsigned size, uint64_t value);
  // offset within the whole redistributor region (vCPU = offset / stride).
  uint64_t redist_read(uint64_t offset, unsigned size) const;
  void redist_write(uint64_t offset, unsigned size, uint64_t value);

  // SGI/PPI of `vcpu`, or an SPI (vcpu ignored).
  // Inline: the lowvisor's vgic_flush looks at every INTID on every guest
  // entry, so this sits on the trap round trip.
  Irq& irq(unsigned vcpu, unsigned intid) {
    return intid < kPrivate ? m_private[vcpu % kMaxVcpus][intid]
                            : m_spi[(intid - kPrivate) % kSpis];
  }
  const Irq& irq(unsigned vcpu, unsigned intid) const {
    return intid < kPrivate ? m_private[vcpu % kMaxVcpus][intid]
                            : m_spi[(intid - kPrivate) % kSpis];
  }
  bool valid(unsigned intid) const { return intid < kIntids; }

  // Makes an interrupt pending (an edge, or a level that rose). Returns the
  // vCPU that should notice it.
  unsigned raise(unsigned vcpu, unsigned intid);
  // The vCPUs an ICC_SGI1R_EL1 value written by `from` targets (bitmask),
  // with the SGI made pending on each (12.2.22).
  uint32_t send_sgi(unsigned from, uint64_t sgi1r);

  bool group1_enabled() const { return m_ctlr & kCtlrEnableGrp1; }
  // Could `intid` be signalled to `vcpu` now (pending, enabled, group
  // enabled, routed there)?
  bool deliverable(unsigned vcpu, unsigned intid) const;
  // Any interrupt deliverable to vcpu (for WFI).
  bool any_deliverable(unsigned vcpu) const;

  // Snapshot payloads of the two frames (vgic_model_snapshot.cpp). decode
  // checks every field; it changes the model only with Apply::Yes, so a
  // caller runs it once with No and, if that passed, once with Yes.
  enum class Apply : uint8_t { No, Yes };
  static constexpr size_t kDistributorPayload = 4 + kSpis * 3;
  static constexpr size_t kRedistributorPayload = 1 + kMaxVcpus + kMaxVcpus * kPrivate * 2;
  void encode_distributor(SnapshotWriter& w) const;
  [[nodiscard]] Result<void, SnapshotError> decode_distributor(SnapshotReader& r, Apply apply);
  void encode_redistributors(SnapshotWriter& w) const;
  [[nodiscard]] Result<void, SnapshotError> decode_redistributors(SnapshotReader& r, Apply apply);

  static constexpr uint32_t kCtlrEnableGrp0 = 1u << 0;
  static constexpr uint32_t kCtlrEnableGrp1 = 1u << 1;
  static constexpr uint32_t kCtlrAre = 1u << 4;
  static constexpr uint32_t kCtlrDs = 1u << 6;

 private:
  uint32_t read_bits(unsigned vcpu, unsigned first, uint64_t reg_offset) const;
  void write_bits(unsigned vcpu, unsigned first, uint64_t reg_offset, uint32_t value);
  uint64_t shared_read(unsigned vcpu, uint64_t offset, unsigned size, bool dist) const;
  void shared_write(unsigned vcpu, uint64_t offset, unsigned size, uint64_t value, bool dist);

  unsigned m_vcpus = 1;                  // invariant: 1..kMaxVcpus
  uint32_t m_ctlr = kCtlrAre | kCtlrDs;  // invariant: ARE and DS always set
  bool m_sleep[kMaxVcpus] = {};
  Irq m_private[kMaxVcpus][kPrivate];
  Irq m_spi[kSpis];
};

}  // namespace nestlab::vgic
