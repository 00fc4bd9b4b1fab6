// Stage-2 translation for one VM (Arm ARM D8.2, "Stage 2 translation"),
// kept in its Vm with its tables:
// guest RAM [ram_ipa, +size) maps to VHV PA ram_pa. Nothing else is mapped,
// so every access below RAM (the MMIO space) traps as DABT_LOW/IABT_LOW.
//
// Execute permission is granted page by page (S15, cache coherency on first
// execution): RAM starts as 2 MiB read/write blocks with XN set. The first
// instruction fetch from a page faults; the lowvisor cleans and invalidates
// the caches for it and calls make_executable(), which splits the block into
// 4 KiB pages (a level-3 table from a fixed pool) and maps that page
// read + execute. A later write to it faults again and revoke_execute() makes
// it read/write, not executable, until the next fetch. So a page is never
// writable and executable at once, and a page that runs has always been made
// coherent after its last write.
#pragma once

#include <cstdint>

namespace nestlab {

enum class PageState : uint8_t {
  NotRam,      // outside guest RAM
  Data,        // read/write, execute-never (the initial state)
  Executable,  // read + execute, writes fault
  ExecOnly,    // execute only: reads and writes fault (patched code, S14)
};

class Stage2 {
 public:
  static constexpr uint64_t kBlock = 2ull << 20;
  static constexpr uint64_t kPage = 4096;
  static constexpr uint64_t kMaxRam = 8ull << 30;
  // Level-3 tables for split blocks: 256 of them cover 512 MiB of RAM that
  // contains code, far more than a lab guest executes.
  static constexpr unsigned kPageTables = 256;

  Stage2() = default;
  Stage2(const Stage2&) = delete;
  Stage2& operator=(const Stage2&) = delete;

  // The VM's VMID (its slot + 1: VMID 0 is never a guest's), before
  // map_guest_ram.
  void set_vmid(uint16_t vmid) { m_vmid = vmid; }
  uint16_t vmid() const { return m_vmid; }
  // ram_ipa, ram_pa and size are 2 MiB aligned; size <= kMaxRam; ram_ipa
  // is 1 GiB aligned. Builds the tables and flushes the VMID's TLB
  // entries; a CPU that runs the VM loads vtcr() and vttbr().
  void map_guest_ram(uint64_t ram_ipa, uint64_t ram_pa, uint64_t size);
  uint64_t vtcr() const { return m_vtcr; }
  uint64_t vttbr() const { return m_vttbr; }

  // Every page back to read/write, execute-never (the image was reloaded).
  void reset_permissions();

  PageState state(uint64_t ipa);
  // The page holding ipa becomes read + execute (or execute-only). False
  // when ipa is not RAM. When the table pool is empty the whole 2 MiB block
  // becomes read/write/execute and is no longer tracked (counted by the
  // caller through the return of tracked()).
  bool make_executable(uint64_t ipa, PageState state = PageState::Executable);
  // The page holding ipa becomes read/write, execute-never. No-op for pages
  // that are Data already or not RAM.
  void revoke_execute(uint64_t ipa);
  // The page holding ipa becomes read/write/execute for good: for code that
  // writes its own page with an access the lowvisor cannot emulate, where
  // flipping permissions would fault forever.
  void make_untracked(uint64_t ipa);
  // False once a block had to be given full permissions (pool exhausted).
  bool tracked(uint64_t ipa);

  // A permission fault on a page that already allows the access: this
  // CPU's TLB held an entry from before a relaxation; drop it (local).
  void drop_stale_here(uint64_t ipa);
  // This CPU is about to run a vCPU of the VM: TLB maintenance for stage-2
  // changes must reach it (broadcast) from now on.
  void note_cpu_in_vmid(unsigned cpu);

  // Guest RAM IPA <-> VHV PA (for the lowvisor's own accesses).
  uint64_t pa_of(uint64_t ipa) const { return m_ram_pa + (ipa - m_ram_ipa); }
  uint64_t ipa_of(uint64_t pa) const { return m_ram_ipa + (pa - m_ram_pa); }

 private:
  static constexpr uint64_t kGiB = 1ull << 30;
  static constexpr unsigned kLevel2Tables = kMaxRam / kGiB;
  enum class Change { Relax, Restrict };

  bool in_ram(uint64_t ipa) const { return ipa >= m_ram_ipa && ipa - m_ram_ipa < m_ram_size; }
  uint64_t* level2_entry(uint64_t ipa);
  uint64_t* page_entry(uint64_t ipa, bool split);
  void invalidate_ipa(uint64_t ipa, Change change);
  void flush_vmid();

  alignas(4096) uint64_t m_level1[512] = {};
  alignas(4096) uint64_t m_level2[kLevel2Tables][512] = {};
  alignas(4096) uint64_t m_level3[kPageTables][512] = {};
  unsigned m_level3_used = 0;  // invariant: <= kPageTables
  uint64_t m_ram_ipa = 0, m_ram_pa = 0, m_ram_size = 0;
  uint16_t m_vmid = 1;
  uint64_t m_vtcr = 0, m_vttbr = 0;
  // CPUs that may hold TLB entries of this VMID: the ones that loaded one
  // of its vCPUs since the last full invalidation (sched/).
  uint32_t m_cpus_in_vmid = 0;
};

}  // namespace nestlab
