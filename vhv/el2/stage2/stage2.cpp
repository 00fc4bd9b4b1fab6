#include "vhv/el2/stage2/stage2.h"

#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"

namespace nestlab {
namespace {

// Who owns which VHV physical memory, for all VMs of the VHV: the
// lowvisor's image and the shared region from the start, each VM's RAM while
// it runs. Under sched_lock() like every Stage2 call.
PhysOwners& vhv_owners() {
  static PhysOwners owners;
  static bool ready = false;
  if (!ready) {
    ready = owners
                .claim(Pa(layout::kVhvRamBase), layout::kGuestRamPa - layout::kVhvRamBase,
                       Owner::lowvisor())
                .is_ok();
  }
  return owners;
}

uint64_t tlbi_arg(Ipa ipa) { return (ipa.value() >> 12) & ((1ull << 36) - 1); }  // IPA[47:12]

}  // namespace

Stage2::Stage2()
    : m_tables(TableArena{m_table_memory, m_info, kTables,
                          Pa(reinterpret_cast<uint64_t>(m_table_memory))},  // VA = PA at EL2
               *this, Owner::vm(0)) {
  set_vmid(m_vmid);
}

void Stage2::set_vmid(uint16_t vmid) {
  m_vmid = vmid;
  m_tables.set_self(Owner::vm(vmid - 1u));
  // VTCR_EL2 (D17.2.168): T0SZ 25 (39-bit IPA), SL0 1 (start at level 1),
  // IRGN0/ORGN0 write-back, SH0 inner, TG0 4 KiB, PS 40-bit, RES1 bit 31.
  m_vtcr =
      25 | (1ull << 6) | (1ull << 8) | (1ull << 10) | (3ull << 12) | (2ull << 16) | (1ull << 31);
  m_vttbr = m_tables.root().value() | (uint64_t(m_vmid) << 48);
}

// After changing the stage-2 entry of the page at `ipa` (Arm ARM D8.13.2,
// and the sequence KVM uses, __kvm_tlb_flush_vmid_ipa): invalidate the
// stage-2 entries for that IPA (TLBI IPAS2E1, every level, so a 2 MiB block
// entry too), complete it, then the combined stage 1+2 entries of the VMID
// (TLBI VMALLE1), which cannot be found by IPA.
//
// Broadcast (Inner Shareable) only as needed: when another CPU may hold
// entries of this VMID; otherwise the local forms, which in QEMU's TCG do
// not stop every CPU for a synchronous flush. And when the change only
// added permissions, stale combined entries elsewhere can only fault
// again: then VMALLE1 stays local to the CPU that faulted, and each CPU
// that faults on a stale entry drops its own (drop_stale_here()).
void Stage2::invalidate(Ipa ipa, uint64_t, TlbChange change) {
  const uint64_t arg = tlbi_arg(ipa);
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
  if (others && change == TlbChange::Restrict) {
    asm volatile("tlbi vmalle1is" ::: "memory");
    arch::dsb_ish();
  } else {
    asm volatile("tlbi vmalle1" ::: "memory");
    asm volatile("dsb nsh" ::: "memory");
  }
  arch::isb();
}

// Every TLB entry of this VMID, on every CPU. TLBI VMALLS12E1 acts on the
// VMID in VTTBR_EL2, and this may run on a CPU that is handling another
// VM's exit (a new VM starts from the channel interrupt): switch to this
// VMID for the invalidation and back (KVM: __tlb_switch_to_guest).
void Stage2::invalidate_all() {
  arch::dsb_sy();  // the invalid level-1 entries first
  const uint64_t vtcr = read_sysreg(vtcr_el2), vttbr = read_sysreg(vttbr_el2);
  write_sysreg(vtcr_el2, m_vtcr);
  write_sysreg(vttbr_el2, m_vttbr);
  arch::isb();
  asm volatile("tlbi vmalls12e1is" ::: "memory");
  arch::dsb_ish();
  write_sysreg(vtcr_el2, vtcr);
  write_sysreg(vttbr_el2, vttbr);
  arch::isb();
  m_cpus_in_vmid = 0;  // no CPU holds entries of the VMID now
}

Result<void, Stage2Error> Stage2::map_guest_ram(Ipa ram_ipa, Pa ram_pa, uint64_t size) {
  const Owner self = Owner::vm(m_vmid - 1u);
  PhysOwners& owners = vhv_owners();
  owners.release(self);
  m_ram_size = 0;
  if (owners.claim(ram_pa, size, self).is_error()) {
    m_tables.unmap_all();
    return Err{Stage2Error::NotOwner};
  }
  auto r = m_tables.map_ram(ram_ipa, ram_pa, size, owners);
  if (r.is_error()) {
    owners.release(self);
    m_tables.unmap_all();
    return r;
  }
  arch::dsb_ish();  // the new tables before any walk
  m_ram_ipa = ram_ipa;
  m_ram_pa = ram_pa;
  m_ram_size = size;
  return {};
}

void Stage2::release() {
  m_tables.unmap_all();
  vhv_owners().release(Owner::vm(m_vmid - 1u));
  m_ram_size = 0;
}

Result<void, Stage2Error> Stage2::reset_permissions() {
  if (m_ram_size == 0) return {};
  return map_guest_ram(m_ram_ipa, m_ram_pa, m_ram_size);
}

PageState Stage2::state(Ipa ipa) const {
  auto r = m_tables.state(ipa);
  if (r.is_error()) return PageState::NotRam;
  const PageStatus& s = r.value();
  if (s.owner != Owner::vm(m_vmid - 1u)) return PageState::NotRam;
  if (s.untracked) return PageState::Executable;
  if (!s.executable) return PageState::Data;
  return s.readable ? PageState::Executable : PageState::ExecOnly;
}

Result<void, Stage2Error> Stage2::make_executable(Ipa ipa, PageState state) {
  auto r = m_tables.make_executable(
      ipa, state == PageState::ExecOnly ? ExecMode::ExecuteOnly : ExecMode::ReadExecute);
  arch::dsb_ish();
  return r;
}

bool Stage2::revoke_execute(Ipa ipa) {
  const bool ok = m_tables.revoke_execute(ipa).is_ok();
  arch::dsb_ish();
  return ok;
}

Result<void, Stage2Error> Stage2::make_untracked(Ipa ipa) {
  auto r = m_tables.make_untracked(ipa);
  arch::dsb_ish();
  return r;
}

bool Stage2::log_write(Ipa ipa) {
  auto s = m_tables.state(ipa);
  if (s.is_error() || s.value().dirty || !s.value().writable) return false;
  const bool ok = m_tables.mark_dirty(ipa).is_ok();
  arch::dsb_ish();
  return ok;
}

void Stage2::drop_stale_here(Ipa ipa) {
  const uint64_t arg = tlbi_arg(ipa);
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
