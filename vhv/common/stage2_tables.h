// The stage-2 memory manager of one VM: its translation tables (Arm ARM D8.2,
// "Stage 2 translation"; 4 KiB granule, 39-bit IPA, walks start at level 1)
// and, kept apart from the descriptors, the state of every page of its RAM:
// owner, readable, writable, executable, dirty. The descriptors are derived
// from that state, never edited bit by bit, so the rules below hold by
// construction and a test can check them over every page:
//
// - W^X: a tracked page is never writable and executable at once at stage 2.
//   (An untracked page is read/write/execute for good: the lowvisor gives up
//   tracking code that writes its own page in a way it cannot emulate.)
// - Only pages this VM owns are mapped; a page owned by the lowvisor or by
//   another VM has an invalid descriptor, and RAM is mapped only over memory
//   PhysOwners says belongs to this VM.
// - A clean page (dirty clear) is write-protected, so the first write to it
//   faults and mark_dirty() records it: a dirty log for checkpoints and
//   migration. Pages start dirty (nothing has been saved yet).
// - Break-before-make (D8.15.1): a valid entry that changes its output
//   address, or a block that becomes a table, first goes invalid, its TLB
//   entries are invalidated, and only then the new entry is written. A change
//   of permissions alone is written in place and then invalidated.
// - When no level-3 table is left to split a block, the operation fails with
//   Stage2Error::PoolExhausted and changes nothing: no fallback to a block
//   with every permission.
//
// RAM starts as 2 MiB blocks; a block is split into 4 KiB pages (a level-3
// table from the pool) when one of its pages needs a state of its own.
//
// The tables live in a TableArena the caller provides (the lowvisor: memory
// of its Vm, VA = PA; the host tests: an array at a made-up PA), TLB
// maintenance goes through Stage2Hooks. Not thread-safe: the lowvisor calls
// it with its scheduler lock held.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "vhv/common/phys_owners.h"
#include "vhv/common/stage2_desc.h"
#include "vhv/common/stage2_types.h"

namespace nestlab {

enum class Stage2Error : uint8_t {
  BadArgument,    // misaligned, empty or too large a range
  NotOwner,       // the memory belongs to the lowvisor or another VM
  NotRam,         // the IPA is not this VM's RAM
  PoolExhausted,  // no level-3 table left to split a 2 MiB block
};
const char* stage2_error_text(Stage2Error e);

// The per-page state, packed (two bytes per page; level3 pages only, a block
// that was never split keeps one for all its pages).
struct PageInfo {
  static constexpr uint8_t kReadable = 1 << 0;
  static constexpr uint8_t kWritable = 1 << 1;  // the guest may write it (all RAM is)
  static constexpr uint8_t kExecutable = 1 << 2;
  static constexpr uint8_t kDirty = 1 << 3;      // written since the last clean()
  static constexpr uint8_t kUntracked = 1 << 4;  // read/write/execute for good
  uint8_t owner = 0;                             // Owner::raw()
  uint8_t flags = 0;
  constexpr bool operator==(const PageInfo&) const = default;
};

struct PageStatus {
  Owner owner;
  bool readable = false, writable = false, executable = false, dirty = false, untracked = false;
};

enum class TlbChange : uint8_t {
  Relax,     // the new entry allows at least what the old one did
  Restrict,  // something the old entry allowed is gone (or it went invalid)
};

class Stage2Hooks {
 public:
  // The entry translating [ipa, ipa + size) changed or went invalid: TLBs
  // holding this VMID's entries for it must drop them before the guest
  // relies on the change.
  virtual void invalidate(Ipa ipa, uint64_t size, TlbChange change) = 0;
  // Every entry of the VMID (map_ram tears the old tables down).
  virtual void invalidate_all() = 0;
  // Sees every descriptor store after it happened (host tests record the
  // sequence; the lowvisor's does nothing).
  virtual void stored(const uint64_t* slot, uint64_t value) {
    (void)slot;
    (void)value;
  }

 protected:
  ~Stage2Hooks() = default;
};

using Table = uint64_t[s2desc::kEntries];
using TableInfo = PageInfo[s2desc::kEntries];

// `count` tables, table i at VHV physical address pa + i * 4 KiB (what the
// walker follows), with a PageInfo array beside each.
struct TableArena {
  Table* tables = nullptr;
  TableInfo* info = nullptr;
  unsigned count = 0;
  Pa pa;
};

enum class ExecMode : uint8_t {
  ReadExecute,  // instructions and loads
  ExecuteOnly,  // loads and stores fault (patched code whose original bytes the lowvisor shows)
};

class Stage2Tables {
 public:
  static constexpr uint64_t kPage = s2desc::kPage;
  static constexpr uint64_t kBlock = s2desc::kBlock;
  static constexpr uint64_t kMaxRam = 8ull << 30;
  static constexpr uint64_t kMaxIpa = 1ull << 39;  // VTCR_EL2.T0SZ = 25

  // `self` is the VM whose stage 2 this is. The arena needs one table for
  // level 1, one per GiB of RAM for level 2; the rest is the level-3 pool.
  Stage2Tables(TableArena arena, Stage2Hooks& hooks, Owner self)
      : m_arena(arena), m_hooks(&hooks), m_self(self) {}
  Stage2Tables(const Stage2Tables&) = delete;
  Stage2Tables& operator=(const Stage2Tables&) = delete;
  // Whose stage 2 this is; only while nothing is mapped (the lowvisor learns
  // a VM's id after constructing it).
  void set_self(Owner self) {
    if (m_ram_size == 0) m_self = self;
  }

  // Tears down whatever was mapped (every entry invalid, then
  // invalidate_all) and maps [ipa, ipa + size) to [pa, pa + size) as
  // read/write, execute-never, dirty 2 MiB blocks. ipa 1 GiB aligned, pa and
  // size 2 MiB aligned, size <= kMaxRam; `owners` must give the whole PA
  // range to this VM.
  [[nodiscard]] Result<void, Stage2Error> map_ram(Ipa ipa, Pa pa, uint64_t size,
                                                  const PhysOwners& owners);
  // Every entry invalid, nothing mapped (the VM ended).
  void unmap_all();

  // The level-1 table: VTTBR_EL2.BADDR.
  Pa root() const { return m_arena.pa; }
  bool in_ram(Ipa ipa) const { return ipa >= m_ram_ipa && ipa - m_ram_ipa < m_ram_size; }
  Pa pa_of(Ipa ipa) const { return m_ram_pa + (ipa - m_ram_ipa); }
  Ipa ipa_of(Pa pa) const { return m_ram_ipa + (pa - m_ram_pa); }

  [[nodiscard]] Result<PageStatus, Stage2Error> state(Ipa ipa) const;
  // The page holding ipa (all of its flips below act on one 4 KiB page):
  // executable; it loses write permission (W^X) and, ExecuteOnly, read.
  [[nodiscard]] Result<void, Stage2Error> make_executable(Ipa ipa, ExecMode mode);
  // Back to readable, not executable (writable again if dirty), and
  // tracked again if it was not.
  [[nodiscard]] Result<void, Stage2Error> revoke_execute(Ipa ipa);
  // Read/write/execute, no longer tracked, until revoke_execute.
  [[nodiscard]] Result<void, Stage2Error> make_untracked(Ipa ipa);
  // A write-permission fault on a clean page: it is dirty from now on and
  // writable (unless executable). When the block was never split and no
  // table is left, the whole block becomes dirty: more pages reported
  // dirty than were written is safe for a dirty log, fewer is not.
  [[nodiscard]] Result<void, Stage2Error> mark_dirty(Ipa ipa);
  // Every page of [ipa, ipa + size) clean and write-protected; blocks
  // covered whole stay blocks.
  [[nodiscard]] Result<void, Stage2Error> clean(Ipa ipa, uint64_t size);
  // The page goes to `owner`: unmapped for the guest unless it is this VM.
  // A page given back starts read/write, not executable, dirty.
  [[nodiscard]] Result<void, Stage2Error> set_owner(Ipa ipa, Owner owner);

  unsigned pool_size() const { return m_arena.count - 1 - m_l2_count; }  // after map_ram
  unsigned pool_used() const { return m_next_table - 1 - m_l2_count; }
  uint64_t pool_exhausted_count() const { return m_pool_exhausted; }

  // The descriptor the walker uses for ipa (level 2 or 3), 0 when none: for
  // tests and the invariant checks.
  uint64_t descriptor(Ipa ipa) const;

 private:
  static constexpr unsigned kMaxBlocks = kMaxRam / kBlock;
  static constexpr unsigned kMaxL2 = kMaxRam / s2desc::kGiB;
  static constexpr uint16_t kUnsplit = 0;  // table 0 is level 1, never a level-3 table

  uint64_t* table(unsigned index) const { return m_arena.tables[index]; }
  Pa table_pa(unsigned index) const { return m_arena.pa + uint64_t(index) * kPage; }
  unsigned block_of(Ipa ipa) const { return static_cast<unsigned>((ipa - m_ram_ipa) / kBlock); }
  uint64_t* l2_slot(unsigned block) const;
  s2desc::Perms perms(PageInfo info) const;
  uint64_t block_desc(unsigned block, PageInfo info) const;
  uint64_t page_desc(Ipa page, PageInfo info) const;
  void store(uint64_t* slot, uint64_t value);
  // Writes `desc` into `slot` (translating [ipa, ipa + size)) with
  // break-before-make when the old entry was valid and the new one is a
  // different mapping, invalidating TLBs as the change needs.
  void set_entry(uint64_t* slot, uint64_t desc, Ipa ipa, uint64_t size);
  [[nodiscard]] Result<void, Stage2Error> split(unsigned block);
  PageInfo info_of(Ipa page) const;
  // The page's new state; splits its block when the state differs from the
  // block's. `fn` maps the old PageInfo to the new one.
  template <typename Fn>
  Result<void, Stage2Error> update_page(Ipa ipa, Fn fn);

  TableArena m_arena;
  Stage2Hooks* m_hooks;  // Not owned.
  Owner m_self;
  Ipa m_ram_ipa;
  Pa m_ram_pa;
  uint64_t m_ram_size = 0;
  unsigned m_l2_count = 0;
  unsigned m_next_table = 1;  // invariant: <= m_arena.count; tables below it are in use
  uint16_t m_l2[kMaxL2] = {};
  uint16_t m_l3_of_block[kMaxBlocks] = {};  // kUnsplit or the block's level-3 table
  PageInfo m_block_info[kMaxBlocks] = {};   // the state of an unsplit block's pages
  uint64_t m_pool_exhausted = 0;
};

}  // namespace nestlab
