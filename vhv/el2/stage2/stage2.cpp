#include "vhv/el2/stage2/stage2.h"

#include "vhv/el2/arch/sysreg.h"

namespace nestlab {
namespace {

constexpr uint64_t kGiB = 1ull << 30;
constexpr unsigned kLevel2Tables = Stage2::kMaxRam / kGiB;
constexpr uint64_t kVmid = 1;

// Stage-2 descriptor fields (Arm ARM D8.3.2, "Stage 2 attributes").
constexpr uint64_t kTable = 0b11;
constexpr uint64_t kBlockDesc = 0b01;
constexpr uint64_t kMemAttrNormalWb = 0xfull << 2;  // outer WB, inner WB
constexpr uint64_t kS2apReadWrite = 3ull << 6;
constexpr uint64_t kShInner = 3ull << 8;
constexpr uint64_t kAf = 1ull << 10;

alignas(4096) uint64_t g_level1[512];
alignas(4096) uint64_t g_level2[kLevel2Tables][512];

}  // namespace

void Stage2::map_guest_ram(uint64_t ram_ipa, uint64_t ram_pa, uint64_t size) {
  for (auto& e : g_level1) e = 0;
  const unsigned first_gib = static_cast<unsigned>(ram_ipa / kGiB);
  const uint64_t blocks = size / kBlock;
  for (uint64_t i = 0; i < blocks; ++i) {
    const uint64_t ipa = ram_ipa + i * kBlock;
    const unsigned table = static_cast<unsigned>(ipa / kGiB) - first_gib;
    uint64_t* l2 = g_level2[table];
    if (g_level1[ipa / kGiB] == 0) {
      for (unsigned k = 0; k < 512; ++k) l2[k] = 0;
      g_level1[ipa / kGiB] = reinterpret_cast<uint64_t>(l2) | kTable;
    }
    l2[(ipa % kGiB) / kBlock] =
        (ram_pa + i * kBlock) | kBlockDesc | kMemAttrNormalWb | kS2apReadWrite | kShInner | kAf;
  }
  arch::dsb_sy();
  // VTCR_EL2 (D17.2.168): T0SZ 25 (39-bit IPA), SL0 1 (start at level 1),
  // IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, PS 40-bit, RES1 bit 31.
  const uint64_t vtcr =
      25 | (1ull << 6) | (1ull << 8) | (1ull << 10) | (3ull << 12) | (2ull << 16) | (1ull << 31);
  write_sysreg(vtcr_el2, vtcr);
  write_sysreg(vttbr_el2, reinterpret_cast<uint64_t>(g_level1) | (kVmid << 48));
  arch::isb();
  asm volatile("tlbi vmalls12e1is" ::: "memory");
  arch::dsb_ish();
  arch::isb();
}

}  // namespace nestlab
