// Stage-2 translation for one VM (Arm ARM D8.2, "Stage 2 translation"):
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

  // ram_ipa, ram_pa and size are 2 MiB aligned; size <= kMaxRam; ram_ipa
  // is 1 GiB aligned. Programs VTCR_EL2 and VTTBR_EL2 and flushes the TLBs.
  static void map_guest_ram(uint64_t ram_ipa, uint64_t ram_pa, uint64_t size);

  // Every page back to read/write, execute-never (the image was reloaded).
  static void reset_permissions();

  static PageState state(uint64_t ipa);
  // The page holding ipa becomes read + execute (or execute-only). False
  // when ipa is not RAM. When the table pool is empty the whole 2 MiB block
  // becomes read/write/execute and is no longer tracked (counted by the
  // caller through the return of tracked()).
  static bool make_executable(uint64_t ipa, PageState state = PageState::Executable);
  // The page holding ipa becomes read/write, execute-never. No-op for pages
  // that are Data already or not RAM.
  static void revoke_execute(uint64_t ipa);
  // The page holding ipa becomes read/write/execute for good: for code that
  // writes its own page with an access the lowvisor cannot emulate, where
  // flipping permissions would fault forever.
  static void make_untracked(uint64_t ipa);
  // False once a block had to be given full permissions (pool exhausted).
  static bool tracked(uint64_t ipa);

  // A permission fault on a page that already allows the access: this
  // CPU's TLB held an entry from before a relaxation; drop it (local).
  static void drop_stale_here(uint64_t ipa);
  // This CPU is about to run a vCPU of the VM: TLB maintenance for stage-2
  // changes must reach it (broadcast) from now on.
  static void note_cpu_in_vmid(unsigned cpu);

  // Guest RAM IPA <-> VHV PA (for the lowvisor's own accesses).
  static uint64_t pa_of(uint64_t ipa);
  static uint64_t ipa_of(uint64_t pa);
};

}  // namespace nestlab
