// Stage-2 translation for one VM, kept in its Vm with its tables: guest RAM
// [ram_ipa, +size) maps to VHV PA ram_pa. Nothing else is mapped, so every
// access below RAM (the MMIO space) traps as DABT_LOW/IABT_LOW.
//
// The tables and the per-page state are managed by Stage2Tables
// (vhv/common/stage2_tables.h, built and tested on the host too); this is its
// EL2 side: the table memory inside the Vm, the real TLB maintenance, VTCR
// and VTTBR, and the VHV-wide record of who owns which physical memory.
//
// Execute permission is granted page by page (cache coherency on first
// execution, docs/traps.md): RAM starts as 2 MiB read/write blocks with XN
// set. The first instruction fetch from a page faults; the lowvisor cleans
// and invalidates the caches for it and calls make_executable(), which
// splits the block into 4 KiB pages (a level-3 table from the VM's pool) and
// maps that page read + execute. A later write to it faults again and
// revoke_execute() makes it read/write, not executable, until the next
// fetch. So a page is never writable and executable at once, and a page that
// runs has always been made coherent after its last write. When the pool is
// empty make_executable fails (Stage2Error::PoolExhausted); the caller stops
// the VM and says so.
//
// Every call is made with sched_lock() held.
#pragma once

#include <cstdint>

#include "vhv/common/stage2_tables.h"

namespace nestlab {

enum class PageState : uint8_t {
  NotRam,      // outside this VM's RAM (or a page it does not own)
  Data,        // read/write, execute-never (the initial state)
  Executable,  // read + execute, writes fault
  ExecOnly,    // execute only: reads and writes fault (patched code)
};

class Stage2 final : private Stage2Hooks {
 public:
  static constexpr uint64_t kBlock = Stage2Tables::kBlock;
  static constexpr uint64_t kPage = Stage2Tables::kPage;
  static constexpr uint64_t kMaxRam = Stage2Tables::kMaxRam;
  // Level-3 tables per VM: 512 cover every block of a 1 GiB guest, so a
  // Linux guest of that size never runs out however its code is spread over
  // RAM (its page cache puts user code anywhere). 2 MiB per VM.
  static constexpr unsigned kPageTables = 512;

  Stage2();
  Stage2(const Stage2&) = delete;
  Stage2& operator=(const Stage2&) = delete;

  // The VM's VMID (its slot + 1: VMID 0 is never a guest's), before
  // map_guest_ram.
  void set_vmid(uint16_t vmid);
  uint16_t vmid() const { return m_vmid; }
  // ram_ipa is 1 GiB aligned, ram_pa and size 2 MiB aligned, size <=
  // kMaxRam. The PA range becomes this VM's (refused when it belongs to the
  // lowvisor or another VM), the tables are built and the VMID's TLB entries
  // flushed; a CPU that runs the VM loads vtcr() and vttbr().
  [[nodiscard]] Result<void, Stage2Error> map_guest_ram(Ipa ram_ipa, Pa ram_pa, uint64_t size);
  // The VM ended: nothing mapped, its RAM nobody's.
  void release();
  uint64_t vtcr() const { return m_vtcr; }
  uint64_t vttbr() const { return m_vttbr; }

  // Every page back to read/write, execute-never (the image was reloaded).
  [[nodiscard]] Result<void, Stage2Error> reset_permissions();

  PageState state(Ipa ipa) const;
  // The page holding ipa becomes read + execute (or execute-only). Fails
  // when ipa is not this VM's RAM or the table pool is empty.
  [[nodiscard]] Result<void, Stage2Error> make_executable(Ipa ipa,
                                                          PageState state = PageState::Executable);
  // The page holding ipa becomes read/write, execute-never (an untracked
  // one is tracked again). False when it is not this VM's RAM; never needs
  // a table (an executable page's block is split already).
  bool revoke_execute(Ipa ipa);
  // The page holding ipa becomes read/write/execute until the lowvisor
  // next writes it (revoke_execute): for code that writes its own page with
  // an access the lowvisor cannot emulate, where flipping permissions would
  // fault forever.
  [[nodiscard]] Result<void, Stage2Error> make_untracked(Ipa ipa);
  // A write-permission fault on a page that is Data: if it was clean (write
  // protected for the dirty log), it is dirty and writable now; true then.
  bool log_write(Ipa ipa);
  unsigned tables_used() const { return m_tables.pool_used(); }

  // A permission fault on a page that already allows the access: this
  // CPU's TLB held an entry from before a relaxation; drop it (local).
  void drop_stale_here(Ipa ipa);
  // A translation fault (FSC 0x04..0x07) at ipa, taken while another CPU
  // replaced the entry for ipa (break-before-make, Arm ARM D8.15.1: the
  // entry is invalid between the two stores), on RAM of this VM: handled
  // under the scheduler lock, which the change held, so the access can
  // simply run again. True then.
  bool raced_with_update(Ipa ipa, uint32_t fsc) const {
    return fsc >= 0x04 && fsc <= 0x07 && state(ipa) != PageState::NotRam;
  }
  // This CPU is about to run a vCPU of the VM: TLB maintenance for stage-2
  // changes must reach it (broadcast) from now on.
  void note_cpu_in_vmid(unsigned cpu);

  // Guest RAM IPA <-> VHV PA (for the lowvisor's own accesses).
  Pa pa_of(Ipa ipa) const { return m_tables.pa_of(ipa); }
  Ipa ipa_of(Pa pa) const { return m_tables.ipa_of(pa); }

 private:
  static constexpr unsigned kTables = 1 + kMaxRam / (1ull << 30) + kPageTables;

  void invalidate(Ipa ipa, uint64_t size, TlbChange change) override;
  void invalidate_all() override;

  alignas(4096) Table m_table_memory[kTables] = {};
  TableInfo m_info[kTables] = {};
  Stage2Tables m_tables;
  Ipa m_ram_ipa;
  Pa m_ram_pa;
  uint64_t m_ram_size = 0;
  uint16_t m_vmid = 1;
  uint64_t m_vtcr = 0, m_vttbr = 0;
  // CPUs that may hold TLB entries of this VMID: the ones that loaded one
  // of its vCPUs since the last full invalidation (sched/).
  uint32_t m_cpus_in_vmid = 0;
};

}  // namespace nestlab
