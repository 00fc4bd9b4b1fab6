#include "vhv/el2/stage2/stage2.h"

#include "vhv/el2/arch/sysreg.h"

namespace nestlab {
namespace {

constexpr uint64_t kGiB = 1ull << 30;
constexpr unsigned kLevel2Tables = Stage2::kMaxRam / kGiB;
constexpr uint64_t kVmid = 1;
// Level-3 tables for split blocks: 256 of them cover 512 MiB of RAM that
// contains code, far more than a lab guest executes.
constexpr unsigned kPageTables = 256;

// Stage-2 descriptor fields (Arm ARM D8.3.2, "Stage 2 attributes").
constexpr uint64_t kTable = 0b11;
constexpr uint64_t kBlockDesc = 0b01;
constexpr uint64_t kPageDesc = 0b11;
constexpr uint64_t kMemAttrNormalWb = 0xfull << 2;  // outer WB, inner WB
constexpr uint64_t kS2apNone = 0ull << 6;
constexpr uint64_t kS2apRead = 1ull << 6;
constexpr uint64_t kS2apReadWrite = 3ull << 6;
constexpr uint64_t kS2apMask = 3ull << 6;
constexpr uint64_t kShInner = 3ull << 8;
constexpr uint64_t kAf = 1ull << 10;
constexpr uint64_t kXn = 1ull << 54;  // Stage 2 XN (D8.4.2; XN[0] is RES0 without FEAT_XNX)
constexpr uint64_t kOutputMask = 0x0000'ffff'ffff'f000ull;
constexpr uint64_t kAttrs = kMemAttrNormalWb | kShInner | kAf;

alignas(4096) uint64_t g_level1[512];
alignas(4096) uint64_t g_level2[kLevel2Tables][512];
alignas(4096) uint64_t g_level3[kPageTables][512];
unsigned g_level3_used = 0;
uint64_t g_ram_ipa = 0, g_ram_pa = 0, g_ram_size = 0;

bool in_ram(uint64_t ipa) { return ipa >= g_ram_ipa && ipa - g_ram_ipa < g_ram_size; }

uint64_t* level2_entry(uint64_t ipa) {
  const uint64_t l1 = g_level1[ipa / kGiB];
  auto* l2 = reinterpret_cast<uint64_t*>(l1 & kOutputMask);
  return &l2[(ipa % kGiB) / Stage2::kBlock];
}

bool is_table(uint64_t desc) { return (desc & 0b11) == kTable; }

// Invalidates the combined stage 1+2 entries of this VMID. A by-IPA TLBI
// alone would leave stale combined entries (D8.13.2), so flush the VMID.
void flush_tlb() {
  arch::dsb_ish();
  asm volatile("tlbi vmalls12e1is" ::: "memory");
  arch::dsb_ish();
  arch::isb();
}

uint64_t* page_entry(uint64_t ipa, bool split) {
  uint64_t* l2e = level2_entry(ipa);
  if (!is_table(*l2e)) {
    if (!split || g_level3_used == kPageTables) return nullptr;
    uint64_t* l3 = g_level3[g_level3_used++];
    const uint64_t block_pa = *l2e & kOutputMask & ~(Stage2::kBlock - 1);
    const uint64_t block_perm = *l2e & (kS2apMask | kXn);
    for (unsigned i = 0; i < 512; ++i)
      l3[i] = (block_pa + i * Stage2::kPage) | kPageDesc | kAttrs | block_perm;
    arch::dsb_ish();
    *l2e = reinterpret_cast<uint64_t>(l3) | kTable;
  }
  auto* l3 = reinterpret_cast<uint64_t*>(*l2e & kOutputMask);
  return &l3[(ipa % Stage2::kBlock) / Stage2::kPage];
}

}  // namespace

void Stage2::map_guest_ram(uint64_t ram_ipa, uint64_t ram_pa, uint64_t size) {
  for (auto& e : g_level1) e = 0;
  g_level3_used = 0;
  g_ram_ipa = ram_ipa;
  g_ram_pa = ram_pa;
  g_ram_size = size;
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
    l2[(ipa % kGiB) / kBlock] = (ram_pa + i * kBlock) | kBlockDesc | kAttrs | kS2apReadWrite | kXn;
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

void Stage2::reset_permissions() {
  if (g_ram_size != 0) map_guest_ram(g_ram_ipa, g_ram_pa, g_ram_size);
}

PageState Stage2::state(uint64_t ipa) {
  if (!in_ram(ipa)) return PageState::NotRam;
  uint64_t desc = *level2_entry(ipa);
  if (is_table(desc)) desc = *page_entry(ipa, false);
  if (desc & kXn) return PageState::Data;
  return (desc & kS2apMask) == kS2apNone ? PageState::ExecOnly : PageState::Executable;
}

bool Stage2::make_executable(uint64_t ipa, PageState state) {
  if (!in_ram(ipa)) return false;
  uint64_t* e = page_entry(ipa, true);
  if (!e) {
    // Pool exhausted: the block keeps every permission from now on.
    uint64_t* l2e = level2_entry(ipa);
    *l2e = (*l2e & ~(kS2apMask | kXn)) | kS2apReadWrite;
  } else {
    const uint64_t ap = state == PageState::ExecOnly ? kS2apNone : kS2apRead;
    *e = (*e & ~(kS2apMask | kXn)) | ap;
  }
  flush_tlb();
  return true;
}

void Stage2::revoke_execute(uint64_t ipa) {
  if (!in_ram(ipa) || !is_table(*level2_entry(ipa))) return;
  uint64_t* e = page_entry(ipa, false);
  if (*e & kXn) return;
  *e = (*e & ~kS2apMask) | kS2apReadWrite | kXn;
  flush_tlb();
}

void Stage2::make_untracked(uint64_t ipa) {
  if (!in_ram(ipa)) return;
  uint64_t* e = page_entry(ipa, true);
  uint64_t* target = e ? e : level2_entry(ipa);
  *target = (*target & ~(kS2apMask | kXn)) | kS2apReadWrite;
  flush_tlb();
}

bool Stage2::tracked(uint64_t ipa) {
  if (!in_ram(ipa)) return false;
  const uint64_t desc = *level2_entry(ipa);
  return is_table(desc) || (desc & kXn);
}

uint64_t Stage2::pa_of(uint64_t ipa) { return g_ram_pa + (ipa - g_ram_ipa); }
uint64_t Stage2::ipa_of(uint64_t pa) { return g_ram_ipa + (pa - g_ram_pa); }

}  // namespace nestlab
