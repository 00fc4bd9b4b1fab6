#include "vhv/el2/channel/gic.h"

#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"

namespace nestlab {
namespace {

constexpr uint64_t kGicd = layout::kVhvGicd;
constexpr uint64_t kGicr = layout::kVhvGicr;  // CPU 0's redistributor frame
// IHI 0069 12.9 (distributor) and 12.11 (redistributor) register offsets.
constexpr uint64_t kGicdCtlr = 0x0000, kGicdIgroupr = 0x0080, kGicdIsenabler = 0x0100,
                   kGicdIpriorityr = 0x0400, kGicdIrouter = 0x6000;
constexpr uint32_t kCtlrEnableGrp0 = 1u << 0, kCtlrEnableGrp1 = 1u << 1, kCtlrAre = 1u << 4,
                   kCtlrRwp = 1u << 31;
constexpr uint64_t kGicrWaker = 0x0014;
constexpr uint64_t kGicrStride = 0x20000;    // RD_base + SGI_base frames per CPU
constexpr uint64_t kGicrSgiFrame = 0x10000;  // same offsets as GICD_* for INTIDs 0..31
constexpr uint32_t kWakerProcessorSleep = 1u << 1, kWakerChildrenAsleep = 1u << 2;

void wait_rwp() {
  while (arch::mmio_read<uint32_t>(kGicd + kGicdCtlr) & kCtlrRwp) {
  }
}

}  // namespace

void PhysicalGic::init() {
  // QEMU's virt GIC has no security extensions without secure=on (DS = 1):
  // one security state, affinity routing enabled.
  arch::mmio_write<uint32_t>(kGicd + kGicdCtlr, 0);
  wait_rwp();
  arch::mmio_write<uint32_t>(kGicd + kGicdCtlr, kCtlrAre | kCtlrEnableGrp1 | kCtlrEnableGrp0);
  wait_rwp();

  init_cpu(0);
}

void PhysicalGic::init_cpu(unsigned cpu) {
  const uint64_t rd = kGicr + cpu * kGicrStride;
  // Wake this CPU's redistributor (IHI 0069 12.11.44 GICR_WAKER).
  uint32_t waker = arch::mmio_read<uint32_t>(rd + kGicrWaker);
  arch::mmio_write<uint32_t>(rd + kGicrWaker, waker & ~kWakerProcessorSleep);
  while (arch::mmio_read<uint32_t>(rd + kGicrWaker) & kWakerChildrenAsleep) {
  }
  // The kick SGI and the virtual timer PPI: Group 1, enabled (12.10.8
  // GICR_IGROUPR0, 12.10.14 GICR_ISENABLER0 in the SGI_base frame).
  const uint64_t sgi = rd + kGicrSgiFrame;
  const uint32_t bits = (1u << kKickSgi) | (1u << kVtimerPpi) | (1u << kHypTimerPpi);
  arch::mmio_write<uint32_t>(sgi + kGicdIgroupr,
                             arch::mmio_read<uint32_t>(sgi + kGicdIgroupr) | bits);
  arch::mmio_write<uint8_t>(sgi + kGicdIpriorityr + kKickSgi, 0xa0);
  arch::mmio_write<uint8_t>(sgi + kGicdIpriorityr + kVtimerPpi, 0xa0);
  arch::mmio_write<uint8_t>(sgi + kGicdIpriorityr + kHypTimerPpi, 0xa0);
  arch::mmio_write<uint32_t>(sgi + kGicdIsenabler, bits);

  // CPU interface through system registers (ICC_SRE_EL2.SRE; Enable lets
  // EL1 use ICC_SRE_EL1 later, for the virtual interface).
  write_sysreg(S3_4_C12_C9_5, read_sysreg(S3_4_C12_C9_5) | 0x9);  // ICC_SRE_EL2
  arch::isb();
  write_sysreg(S3_0_C4_C6_0, 0xff);  // ICC_PMR_EL1: let every priority through
  write_sysreg(S3_0_C12_C12_3, 0);   // ICC_BPR1_EL1
  // ICC_CTLR_EL1.EOImode = 1 (12.2.6): EOIR only drops priority, DIR
  // deactivates, so the virtual timer's interrupt can stay active until the
  // guest deactivates it through a hardware list register (vgic/).
  write_sysreg(S3_0_C12_C12_4, read_sysreg(S3_0_C12_C12_4) | 2);
  write_sysreg(S3_0_C12_C12_7, 1);  // ICC_IGRPEN1_EL1
  arch::isb();
}

void PhysicalGic::enable_spi(uint32_t intid) {
  const uint64_t word = (intid / 32) * 4;
  const uint32_t bit = 1u << (intid % 32);
  arch::mmio_write<uint32_t>(kGicd + kGicdIgroupr + word,
                             arch::mmio_read<uint32_t>(kGicd + kGicdIgroupr + word) | bit);
  arch::mmio_write<uint8_t>(kGicd + kGicdIpriorityr + intid, 0xa0);
  arch::mmio_write<uint64_t>(kGicd + kGicdIrouter + intid * 8, 0);  // Aff 0.0.0.0, CPU 0
  arch::mmio_write<uint32_t>(kGicd + kGicdIsenabler + word, bit);
  wait_rwp();
}

uint32_t PhysicalGic::acknowledge() {
  const uint64_t iar = read_sysreg(S3_0_C12_C12_0);  // ICC_IAR1_EL1
  arch::dsb_sy();
  return static_cast<uint32_t>(iar & 0xffffff);
}

void PhysicalGic::end_of_interrupt(uint32_t intid) {
  priority_drop(intid);
  deactivate(intid);
}

void PhysicalGic::priority_drop(uint32_t intid) {
  write_sysreg(S3_0_C12_C12_1, intid);  // ICC_EOIR1_EL1 (EOImode 1: drop only)
  arch::isb();
}

void PhysicalGic::deactivate(uint32_t intid) {
  write_sysreg(S3_0_C12_C11_1, intid);  // ICC_DIR_EL1
  arch::isb();
}

void PhysicalGic::set_ppi_active(uint32_t intid) {
  constexpr uint64_t kGicrIsactiver0 = 0x0300;
  const uint64_t sgi = kGicr + (read_sysreg(mpidr_el1) & 0xff) * kGicrStride + kGicrSgiFrame;
  arch::mmio_write<uint32_t>(sgi + kGicrIsactiver0, 1u << (intid & 31));
  arch::dsb_sy();
}

void PhysicalGic::send_sgi(unsigned cpu, uint32_t intid) {
  // ICC_SGI1R_EL1 (12.2.22): INTID [27:24], TargetList [15:0] in Aff1 = 0.
  arch::dsb_ish();
  write_sysreg(S3_0_C12_C11_5, (uint64_t(intid) << 24) | (1ull << cpu));
  arch::isb();
}

}  // namespace nestlab
