#include "vhv/common/vgic_model.h"

namespace nestlab::vgic {
namespace {

// Register block offsets shared by GICD (for SPIs) and the GICR SGI_base
// frame (for INTIDs 0..31): IHI 0069 12.9 and 12.10.
constexpr uint64_t kIgroupr = 0x080, kIsenabler = 0x100, kIcenabler = 0x180, kIspendr = 0x200,
                   kIcpendr = 0x280, kIsactiver = 0x300, kIcactiver = 0x380, kIpriorityr = 0x400,
                   kIcfgr = 0xc00, kIrouter = 0x6000;
constexpr uint64_t kPidr2 = 0xffe8;
constexpr uint32_t kPidr2GicV3 = 0x3b;  // ArchRev 3 (IHI 0069 12.1.13)
constexpr uint32_t kIidrArm = 0x43b;
constexpr uint64_t kSgiFrame = 0x10000;
constexpr uint32_t kWakerProcessorSleep = 1u << 1, kWakerChildrenAsleep = 1u << 2;

enum class Op : uint8_t {
  Group,
  SetEnable,
  ClearEnable,
  SetPending,
  ClearPending,
  SetActive,
  ClearActive
};

bool op_of(uint64_t block, Op* op) {
  switch (block) {
    case kIgroupr: *op = Op::Group; return true;
    case kIsenabler: *op = Op::SetEnable; return true;
    case kIcenabler: *op = Op::ClearEnable; return true;
    case kIspendr: *op = Op::SetPending; return true;
    case kIcpendr: *op = Op::ClearPending; return true;
    case kIsactiver: *op = Op::SetActive; return true;
    case kIcactiver: *op = Op::ClearActive; return true;
    default: return false;
  }
}

bool bit_of(const Irq& q, Op op) {
  switch (op) {
    case Op::Group: return q.group1;
    case Op::SetEnable:
    case Op::ClearEnable: return q.enabled;
    case Op::SetPending:
    case Op::ClearPending: return q.pending;
    case Op::SetActive:
    case Op::ClearActive: return q.active;
  }
  return false;
}

}  // namespace

void GicModel::reset(unsigned vcpus) {
  m_vcpus = vcpus == 0 ? 1 : (vcpus > kMaxVcpus ? kMaxVcpus : vcpus);
  for (auto& row : m_private)
    for (Irq& q : row) q.hw = false;
  for (Irq& q : m_spi) q.hw = false;
  reset_distributor();
  reset_redistributors();
}

void GicModel::reset_distributor() {
  m_ctlr = kCtlrAre | kCtlrDs;
  for (Irq& q : m_spi) {
    const bool hw = q.hw;
    q = Irq{};
    q.hw = hw;
  }
}

void GicModel::reset_redistributors() {
  for (unsigned v = 0; v < kMaxVcpus; ++v) {
    m_sleep[v] = true;
    for (unsigned i = 0; i < kPrivate; ++i) {
      Irq& q = m_private[v][i];
      const bool hw = q.hw;
      q = Irq{};
      q.edge = i < 16;
      q.hw = hw;
    }
  }
}

unsigned GicModel::raise(unsigned vcpu, unsigned intid) {
  if (!valid(intid)) return vcpu;
  Irq& q = irq(vcpu, intid);
  q.pending = true;
  return intid < kPrivate ? vcpu : (q.target < m_vcpus ? q.target : 0);
}

uint32_t GicModel::send_sgi(unsigned from, uint64_t v) {
  const unsigned intid = (v >> 24) & 0xf;
  const bool irm = (v >> 40) & 1;
  const uint64_t high_aff = ((v >> 16) & 0xff) | ((v >> 32) & 0xff) | ((v >> 48) & 0xff);
  uint32_t targets = 0;
  for (unsigned c = 0; c < m_vcpus; ++c) {
    const bool hit = irm ? c != from : (high_aff == 0 && c < 16 && ((v >> c) & 1));
    if (!hit) continue;
    m_private[c][intid].pending = true;
    targets |= 1u << c;
  }
  return targets;
}

bool GicModel::deliverable(unsigned vcpu, unsigned intid) const {
  const Irq& q = irq(vcpu, intid);
  if (!q.pending || !q.enabled || !group1_enabled()) return false;
  if (intid >= kPrivate && q.target != vcpu && !(vcpu == 0 && q.target >= m_vcpus)) return false;
  return true;
}

bool GicModel::any_deliverable(unsigned vcpu) const {
  for (unsigned i = 0; i < kIntids; ++i)
    if (deliverable(vcpu, i)) return true;
  return false;
}

uint32_t GicModel::read_bits(unsigned vcpu, unsigned first, uint64_t reg_offset) const {
  Op op;
  const uint64_t block = reg_offset & ~0x7full;
  if (!op_of(block, &op)) return 0;
  uint32_t out = 0;
  for (unsigned b = 0; b < 32; ++b) {
    const unsigned intid = first + b;
    if (!valid(intid)) break;
    if (bit_of(irq(vcpu, intid), op)) out |= 1u << b;
  }
  return out;
}

void GicModel::write_bits(unsigned vcpu, unsigned first, uint64_t reg_offset, uint32_t value) {
  Op op;
  const uint64_t block = reg_offset & ~0x7full;
  if (!op_of(block, &op)) return;
  for (unsigned b = 0; b < 32; ++b) {
    const unsigned intid = first + b;
    if (!valid(intid)) break;
    Irq& q = irq(vcpu, intid);
    const bool set = (value >> b) & 1;
    if (op == Op::Group) {
      q.group1 = set;
      continue;
    }
    if (!set) continue;
    switch (op) {
      case Op::SetEnable: q.enabled = true; break;
      case Op::ClearEnable: q.enabled = false; break;
      case Op::SetPending: q.pending = true; break;
      case Op::ClearPending: q.pending = false; break;
      case Op::SetActive: q.active = true; break;
      case Op::ClearActive: q.active = false; break;
      case Op::Group: break;
    }
  }
}

// The blocks both GICD (INTIDs >= 32) and GICR SGI_base (INTIDs < 32) have.
uint64_t GicModel::shared_read(unsigned vcpu, uint64_t off, unsigned size, bool dist) const {
  if (off >= kIgroupr && off < kIpriorityr) {
    const unsigned first = static_cast<unsigned>((off & 0x7f) * 8);
    if (dist && first < kPrivate) return 0;  // RAZ with affinity routing (12.9)
    if (!dist && first >= kPrivate) return 0;
    return read_bits(vcpu, first, off);
  }
  if (off >= kIpriorityr && off < kIpriorityr + 0x400) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) {
      const unsigned intid = static_cast<unsigned>(off - kIpriorityr) + i;
      if (!valid(intid) || (dist && intid < kPrivate) || (!dist && intid >= kPrivate)) continue;
      v |= uint64_t(irq(vcpu, intid).priority) << (8 * i);
    }
    return v;
  }
  if (off >= kIcfgr && off < kIcfgr + 0x100) {
    const unsigned first = static_cast<unsigned>((off - kIcfgr) * 4);
    uint32_t v = 0;
    for (unsigned i = 0; i < 16; ++i) {
      const unsigned intid = first + i;
      if (!valid(intid) || (dist && intid < kPrivate) || (!dist && intid >= kPrivate)) continue;
      if (irq(vcpu, intid).edge) v |= 2u << (2 * i);
    }
    return v;
  }
  return 0;
}

void GicModel::shared_write(unsigned vcpu, uint64_t off, unsigned size, uint64_t value, bool dist) {
  if (off >= kIgroupr && off < kIpriorityr) {
    const unsigned first = static_cast<unsigned>((off & 0x7f) * 8);
    if ((dist && first < kPrivate) || (!dist && first >= kPrivate)) return;
    write_bits(vcpu, first, off, static_cast<uint32_t>(value));
    return;
  }
  if (off >= kIpriorityr && off < kIpriorityr + 0x400) {
    for (unsigned i = 0; i < size; ++i) {
      const unsigned intid = static_cast<unsigned>(off - kIpriorityr) + i;
      if (!valid(intid) || (dist && intid < kPrivate) || (!dist && intid >= kPrivate)) continue;
      // 5 priority bits, as the hardware's virtual interface implements.
      irq(vcpu, intid).priority = static_cast<uint8_t>((value >> (8 * i)) & 0xf8);
    }
    return;
  }
  if (off >= kIcfgr && off < kIcfgr + 0x100) {
    const unsigned first = static_cast<unsigned>((off - kIcfgr) * 4);
    for (unsigned i = 0; i < 16; ++i) {
      const unsigned intid = first + i;
      if (!valid(intid) || intid < 16 || (dist && intid < kPrivate) || (!dist && intid >= kPrivate))
        continue;  // SGI configuration is read-only (always edge)
      irq(vcpu, intid).edge = (value >> (2 * i + 1)) & 1;
    }
  }
}

uint64_t GicModel::dist_read(uint64_t off, unsigned size) const {
  switch (off) {
    case 0x0000: return m_ctlr;
    case 0x0004:
      // GICD_TYPER (12.9.38): ITLinesNumber, IDbits = 9 (10 bits), no LPIs.
      return ((kIntids / 32) - 1) | (9u << 19);
    case 0x0008: return kIidrArm;
    case kPidr2: return kPidr2GicV3;
    default: break;
  }
  if (off >= kIrouter && off < kIrouter + 8 * kIntids) {
    const unsigned intid = static_cast<unsigned>((off - kIrouter) / 8);
    if (intid < kPrivate || (off & 7) != 0) return 0;
    return irq(0, intid).target;
  }
  return shared_read(0, off, size, true);
}

void GicModel::dist_write(uint64_t off, unsigned size, uint64_t value) {
  if (off == 0) {
    m_ctlr =
        static_cast<uint32_t>(value & (kCtlrEnableGrp0 | kCtlrEnableGrp1)) | kCtlrAre | kCtlrDs;
    return;
  }
  if (off >= kIrouter && off < kIrouter + 8 * kIntids) {
    const unsigned intid = static_cast<unsigned>((off - kIrouter) / 8);
    if (intid < kPrivate || (off & 7) != 0) return;
    // Aff0 only; Interrupt_Routing_Mode (bit 31, "any CPU") picks vCPU 0.
    irq(0, intid).target = (value >> 31) & 1 ? 0 : static_cast<uint8_t>(value & 0xff);
    return;
  }
  shared_write(0, off, size, value, true);
}

uint64_t GicModel::redist_read(uint64_t offset, unsigned size) const {
  const unsigned vcpu = static_cast<unsigned>(offset / kGicrStride);
  const uint64_t off = offset % kGicrStride;
  if (vcpu >= m_vcpus) return 0;
  if (off >= kSgiFrame) return shared_read(vcpu, off - kSgiFrame, size, false);
  switch (off) {
    case 0x0000: return 0;         // GICR_CTLR: no LPIs
    case 0x0004: return kIidrArm;  // GICR_IIDR
    case 0x0008: {                 // GICR_TYPER (12.11.36)
      const uint64_t last = vcpu + 1 == m_vcpus ? 1u << 4 : 0;
      const uint64_t v = (uint64_t(vcpu) << 32) | (uint64_t(vcpu) << 8) | last;
      return size == 8 ? v : (v & 0xffff'ffffull);
    }
    case 0x000c: return vcpu;  // upper half of GICR_TYPER: Aff0
    case 0x0014: return m_sleep[vcpu] ? (kWakerProcessorSleep | kWakerChildrenAsleep) : 0;
    case kPidr2: return kPidr2GicV3;
    default: return 0;
  }
}

void GicModel::redist_write(uint64_t offset, unsigned size, uint64_t value) {
  const unsigned vcpu = static_cast<unsigned>(offset / kGicrStride);
  const uint64_t off = offset % kGicrStride;
  if (vcpu >= m_vcpus) return;
  if (off >= kSgiFrame) {
    shared_write(vcpu, off - kSgiFrame, size, value, false);
    return;
  }
  if (off == 0x0014) m_sleep[vcpu] = (value & kWakerProcessorSleep) != 0;
}

}  // namespace nestlab::vgic
