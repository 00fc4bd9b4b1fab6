#include "vhv/el2/stage2/stage2.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"

namespace nestlab {
namespace {

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

bool is_table(uint64_t desc) { return (desc & 0b11) == kTable; }

}  // namespace

uint64_t* Stage2::level2_entry(uint64_t ipa) {
  const uint64_t l1 = m_level1[ipa / kGiB];
  auto* l2 = reinterpret_cast<uint64_t*>(l1 & kOutputMask);
  return &l2[(ipa % kGiB) / Stage2::kBlock];
}

// After changing the stage-2 entry of the page at `ipa` (Arm ARM D8.13.2,
// and the sequence KVM uses, __kvm_tlb_flush_vmid_ipa): invalidate the
// stage-2 entries for that IPA (TLBI IPAS2E1), complete it, then the
// combined stage 1+2 entries of the VMID (TLBI VMALLE1), which cannot be
// found by IPA. No VMID-wide stage-2 invalidation any more (it was TLBI
// VMALLS12E1IS): the other IPAs' stage-2 entries stay valid.
//
// Broadcast (Inner Shareable) only as needed: when another CPU may hold
// entries of this VMID; otherwise the local forms, which in QEMU's TCG do
// not stop every CPU for a synchronous flush. And when the change only
// added permissions, stale combined entries elsewhere can only fault
// again: then VMALLE1 stays local to the CPU that faulted, and each CPU
// that faults on a stale entry drops its own (drop_stale_here()).
void Stage2::invalidate_ipa(uint64_t ipa, Change change) {
  const uint64_t arg = (ipa >> 12) & ((1ull << 36) - 1);  // IPA[47:12] in bits [35:0]
  const bool others = (m_cpus_in_vmid & ~(1u << this_cpu())) != 0;
  if (others) {
    asm volatile("dsb ishst" ::: "memory");  // the walkers see the new entry
    asm volatile("tlbi ipas2e1is, %0" ::"r"(arg) : "memory");
    arch::dsb_ish();
  } else {
    asm volatile("dsb nshst" ::: "memory");
    asm volatile("tlbi ipas2e1, %0" ::"r"(arg) : "memory");
    asm volatile("dsb nsh" ::: "memory");
  }
  if (others && change == Change::Restrict) {
    asm volatile("tlbi vmalle1is" ::: "memory");
    arch::dsb_ish();
  } else {
    asm volatile("tlbi vmalle1" ::: "memory");
    asm volatile("dsb nsh" ::: "memory");
  }
  arch::isb();
}

uint64_t* Stage2::page_entry(uint64_t ipa, bool split) {
  uint64_t* l2e = level2_entry(ipa);
  if (!is_table(*l2e)) {
    if (!split || m_level3_used == kPageTables) return nullptr;
    uint64_t* l3 = m_level3[m_level3_used++];
    const uint64_t block_pa = *l2e & kOutputMask & ~(Stage2::kBlock - 1);
    const uint64_t block_perm = *l2e & (kS2apMask | kXn);
    for (unsigned i = 0; i < 512; ++i)
      l3[i] = (block_pa + i * Stage2::kPage) | kPageDesc | kAttrs | block_perm;
    // Break-before-make (Arm ARM D8.15.1): a live block descriptor is never
    // overwritten by a table; it goes invalid, its TLB entries everywhere,
    // then the table goes in.
    *l2e = 0;
    invalidate_ipa(ipa & ~(Stage2::kBlock - 1), Change::Restrict);
    *l2e = reinterpret_cast<uint64_t>(l3) | kTable;
    arch::dsb_ish();
  }
  auto* l3 = reinterpret_cast<uint64_t*>(*l2e & kOutputMask);
  return &l3[(ipa % Stage2::kBlock) / Stage2::kPage];
}

void Stage2::map_guest_ram(uint64_t ram_ipa, uint64_t ram_pa, uint64_t size) {
  for (auto& e : m_level1) e = 0;
  m_level3_used = 0;
  m_cpus_in_vmid = 0;  // the full invalidation below covers every CPU
  m_ram_ipa = ram_ipa;
  m_ram_pa = ram_pa;
  m_ram_size = size;
  const unsigned first_gib = static_cast<unsigned>(ram_ipa / kGiB);
  const uint64_t blocks = size / kBlock;
  for (uint64_t i = 0; i < blocks; ++i) {
    const uint64_t ipa = ram_ipa + i * kBlock;
    const unsigned table = static_cast<unsigned>(ipa / kGiB) - first_gib;
    uint64_t* l2 = m_level2[table];
    if (m_level1[ipa / kGiB] == 0) {
      for (unsigned k = 0; k < 512; ++k) l2[k] = 0;
      m_level1[ipa / kGiB] = reinterpret_cast<uint64_t>(l2) | kTable;
    }
    l2[(ipa % kGiB) / kBlock] = (ram_pa + i * kBlock) | kBlockDesc | kAttrs | kS2apReadWrite | kXn;
  }
  arch::dsb_sy();
  // VTCR_EL2 (D17.2.168): T0SZ 25 (39-bit IPA), SL0 1 (start at level 1),
  // IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, PS 40-bit, RES1 bit 31.
  m_vtcr =
      25 | (1ull << 6) | (1ull << 8) | (1ull << 10) | (3ull << 12) | (2ull << 16) | (1ull << 31);
  m_vttbr = reinterpret_cast<uint64_t>(m_level1) | (uint64_t(m_vmid) << 48);
  flush_vmid();
}

// Every TLB entry of this VMID, on every CPU. TLBI VMALLS12E1 acts on the
// VMID in VTTBR_EL2, and this may run on a CPU that is handling another
// VM's exit (a new VM starts from the channel interrupt): switch to this
// VMID for the invalidation and back (KVM: __tlb_switch_to_guest).
void Stage2::flush_vmid() {
  const uint64_t vtcr = read_sysreg(vtcr_el2), vttbr = read_sysreg(vttbr_el2);
  write_sysreg(vtcr_el2, m_vtcr);
  write_sysreg(vttbr_el2, m_vttbr);
  arch::isb();
  asm volatile("tlbi vmalls12e1is" ::: "memory");
  arch::dsb_ish();
  write_sysreg(vtcr_el2, vtcr);
  write_sysreg(vttbr_el2, vttbr);
  arch::isb();
}

void Stage2::reset_permissions() {
  if (m_ram_size != 0) map_guest_ram(m_ram_ipa, m_ram_pa, m_ram_size);
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
  // Write (and for execute-only, read) permission went away; when the pool
  // was empty the block only gained execute.
  invalidate_ipa(ipa, e ? Change::Restrict : Change::Relax);
  return true;
}

void Stage2::revoke_execute(uint64_t ipa) {
  if (!in_ram(ipa) || !is_table(*level2_entry(ipa))) return;
  uint64_t* e = page_entry(ipa, false);
  if (*e & kXn) return;
  *e = (*e & ~kS2apMask) | kS2apReadWrite | kXn;
  invalidate_ipa(ipa, Change::Restrict);  // execute permission went away
}

void Stage2::make_untracked(uint64_t ipa) {
  if (!in_ram(ipa)) return;
  uint64_t* e = page_entry(ipa, true);
  uint64_t* target = e ? e : level2_entry(ipa);
  *target = (*target & ~(kS2apMask | kXn)) | kS2apReadWrite;
  // Every permission: a relaxation. (A block split for it keeps its other
  // pages' permissions; TLBI IPAS2E1 drops the block's stage-2 entry.)
  invalidate_ipa(ipa, Change::Relax);
}

bool Stage2::tracked(uint64_t ipa) {
  if (!in_ram(ipa)) return false;
  const uint64_t desc = *level2_entry(ipa);
  return is_table(desc) || (desc & kXn);
}

void Stage2::drop_stale_here(uint64_t ipa) {
  const uint64_t arg = (ipa >> 12) & ((1ull << 36) - 1);
  asm volatile("dsb nshst" ::: "memory");
  asm volatile("tlbi ipas2e1, %0" ::"r"(arg) : "memory");
  asm volatile("dsb nsh" ::: "memory");
  asm volatile("tlbi vmalle1" ::: "memory");
  asm volatile("dsb nsh" ::: "memory");
  arch::isb();
}

void Stage2::note_cpu_in_vmid(unsigned cpu) {
  __atomic_fetch_or(&m_cpus_in_vmid, 1u << (cpu % 32), __ATOMIC_SEQ_CST);
}

}  // namespace nestlab
