#include "vhv/el2/boot/mmu.h"

#include <cstdint>

#include "vhv/common/prda_map.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/runtime/panic.h"

namespace nestlab {
namespace {

// MAIR_EL2 attribute indices (Arm ARM D17.2.97).
constexpr uint64_t kAttrDevice = 0;  // 0x04 Device-nGnRE
constexpr uint64_t kAttrNormal = 1;  // 0xff Normal, inner/outer write-back
constexpr uint64_t kMair = (0x04ull << (8 * kAttrDevice)) | (0xffull << (8 * kAttrNormal));

// Block descriptor bits (Arm ARM D8.3.1, stage 1 EL2 translation regime).
constexpr uint64_t kBlock = 0b01;
constexpr uint64_t kAf = 1ull << 10;
constexpr uint64_t kShInner = 3ull << 8;
constexpr uint64_t kXn = 1ull << 54;
constexpr uint64_t kGiB = 1ull << 30;
constexpr unsigned kMappedGiB = 64;

alignas(4096) uint64_t g_level1[512];  // the identity map every CPU shares
// Per CPU: its level-1 table (g_level1 + the PRDA window) and the window's
// level-2 and level-3 tables.
alignas(4096) uint64_t g_cpu_l1[kMaxCpus][512];
alignas(4096) uint64_t g_cpu_l2[kMaxCpus][512];
alignas(4096) uint64_t g_cpu_l3[kMaxCpus][512];

void build_tables() {
  g_level1[0] = 0 | kBlock | kAf | (kAttrDevice << 2) | kXn;
  for (unsigned i = 1; i < kMappedGiB; ++i)
    g_level1[i] = (i * kGiB) | kBlock | kAf | kShInner | (kAttrNormal << 2);
  arch::dsb_sy();
}

void program_registers(const uint64_t* level1) {
  write_sysreg(mair_el2, kMair);
  // TCR_EL2 (D17.2.131): T0SZ 25 (39-bit VA, walk starts at level 1),
  // IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, PS 40-bit; RES1 bits 31, 23.
  const uint64_t tcr = 25 | (1ull << 8) | (1ull << 10) | (3ull << 12) | (0ull << 14) |
                       (2ull << 16) | (1ull << 23) | (1ull << 31);
  write_sysreg(tcr_el2, tcr);
  write_sysreg(ttbr0_el2, reinterpret_cast<uint64_t>(level1));
  arch::isb();
  asm volatile("tlbi alle2" ::: "memory");
  arch::dsb_sy();
  arch::isb();
  // SCTLR_EL2 (D17.2.118): M, C, I on; alignment checks off; RES1 bits.
  const uint64_t res1 = (1ull << 4) | (1ull << 5) | (1ull << 11) | (1ull << 16) | (1ull << 18) |
                        (1ull << 22) | (1ull << 23) | (1ull << 28) | (1ull << 29);
  write_sysreg(sctlr_el2, res1 | (1ull << 0) | (1ull << 2) | (1ull << 12));
  arch::isb();
}

}  // namespace

void mmu_enable(unsigned cpu, uint64_t prda_pa) {
  // Secondary CPUs (boot/smp.cpp) share the boot CPU's identity map. The
  // MMU is still off here: table addresses are physical ones.
  if (g_level1[1] == 0) build_tables();
  const unsigned c = cpu % kMaxCpus;
  const prda_map::CpuTables t{g_cpu_l1[c], g_cpu_l2[c], reinterpret_cast<uint64_t>(g_cpu_l2[c]),
                              g_cpu_l3[c], reinterpret_cast<uint64_t>(g_cpu_l3[c])};
  if (!prda_map::build(g_level1, t, prda_pa, kAttrNormal))
    panic("mmu: cannot map the PRDA window of CPU %u", cpu);
  arch::dsb_sy();
  program_registers(g_cpu_l1[c]);
}

}  // namespace nestlab
