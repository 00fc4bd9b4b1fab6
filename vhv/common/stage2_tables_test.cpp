#include "vhv/common/stage2_tables.h"

#include <gtest/gtest.h>

#include "vhv/common/stage2_tables_check.h"

namespace nestlab {
namespace {

using s2check::Event;
using s2check::FakeArena;
using s2check::RecordingHooks;

constexpr Ipa kRam{0x4000'0000};
constexpr Pa kRamPa{0x4400'0000};
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kBlock = Stage2Tables::kBlock;
constexpr uint64_t kPage = Stage2Tables::kPage;
const Owner kSelf = Owner::vm(1);

class Stage2TablesTest : public ::testing::Test {
 protected:
  explicit Stage2TablesTest(unsigned tables = 1 + 1 + 16) : arena(tables) {
    EXPECT_TRUE(owners.claim(Pa(0x4000'0000), 64 * kMiB, Owner::lowvisor()).is_ok());
    EXPECT_TRUE(owners.claim(kRamPa, 512 * kMiB, kSelf).is_ok());
    EXPECT_TRUE(owners.claim(kRamPa + 512 * kMiB, 256 * kMiB, Owner::vm(2)).is_ok());
  }
  void map(uint64_t size = 512 * kMiB) {
    ASSERT_TRUE(t.map_ram(kRam, kRamPa, size, owners).is_ok());
    hooks.end_of_operation();
    ram_size = size;
  }
  // After each operation: break-before-make held, every page's descriptor
  // matches its state.
  void check() {
    hooks.end_of_operation();
    EXPECT_EQ(hooks.violations, std::vector<std::string>{});
    EXPECT_EQ(s2check::check_pages(t, kRam, ram_size, kSelf), "");
  }
  s2desc::Perms perms(Ipa ipa) const { return s2desc::perms(t.descriptor(ipa)); }
  PageStatus state(Ipa ipa) const { return t.state(ipa).value(); }

  FakeArena arena;
  PhysOwners owners;
  RecordingHooks hooks;
  Stage2Tables t{arena.arena(), hooks, kSelf};
  uint64_t ram_size = 0;
};

TEST_F(Stage2TablesTest, MapsRamAsReadWriteExecuteNeverBlocks) {
  map();
  const uint64_t d = t.descriptor(kRam + 3 * kBlock + 5 * kPage);
  EXPECT_TRUE(s2desc::is_block(d));
  EXPECT_EQ(s2desc::output(d), kRamPa + 3 * kBlock);
  EXPECT_EQ(s2desc::perms(d), (s2desc::Perms{true, true, false}));
  EXPECT_EQ(d & (s2desc::kAf | s2desc::kShInner | s2desc::kMemAttrNormalWb),
            s2desc::kAf | s2desc::kShInner | s2desc::kMemAttrNormalWb);
  // Level 1 entry 1 (IPA 1 GiB) points at the first table after the root.
  EXPECT_EQ(arena.tables[0].e[1], s2desc::table(Pa(FakeArena::kPa + kPage)));
  EXPECT_EQ(t.root(), Pa(FakeArena::kPa));
  EXPECT_EQ(t.descriptor(kRam + 512 * kMiB), 0u);  // past RAM
  EXPECT_EQ(t.pool_size(), 16u);
  EXPECT_EQ(t.pool_used(), 0u);
  EXPECT_EQ(t.pa_of(kRam + 0x1234), kRamPa + 0x1234);
  EXPECT_EQ(t.ipa_of(kRamPa + 0x1234), kRam + 0x1234);
  check();
}

TEST_F(Stage2TablesTest, RefusesBadRanges) {
  EXPECT_EQ(t.map_ram(kRam + kBlock, kRamPa, 2 * kBlock, owners).error(),
            Stage2Error::BadArgument);  // IPA not 1 GiB aligned
  EXPECT_EQ(t.map_ram(kRam, kRamPa + kPage, 2 * kBlock, owners).error(), Stage2Error::BadArgument);
  EXPECT_EQ(t.map_ram(kRam, kRamPa, kBlock + kPage, owners).error(), Stage2Error::BadArgument);
  EXPECT_EQ(t.map_ram(kRam, kRamPa, 0, owners).error(), Stage2Error::BadArgument);
  EXPECT_EQ(t.map_ram(kRam, kRamPa, 16ull << 30, owners).error(), Stage2Error::BadArgument);
  EXPECT_EQ(t.map_ram(Ipa(512ull << 30), kRamPa, kBlock, owners).error(),
            Stage2Error::BadArgument);  // beyond the 39-bit IPA space
  EXPECT_EQ(hooks.events.size(), 0u) << "a refused map changes nothing";
}

TEST_F(Stage2TablesTest, NeverMapsMemoryOfTheLowvisorOrAnotherVm) {
  // The lowvisor's image and shared region.
  EXPECT_EQ(t.map_ram(kRam, Pa(0x4000'0000), 64 * kMiB, owners).error(), Stage2Error::NotOwner);
  // Partly this VM's, partly VM 2's.
  EXPECT_EQ(t.map_ram(kRam, kRamPa + 256 * kMiB, 512 * kMiB, owners).error(),
            Stage2Error::NotOwner);
  // Nobody's.
  EXPECT_EQ(t.map_ram(kRam, Pa(0x1'0000'0000), kBlock, owners).error(), Stage2Error::NotOwner);
  EXPECT_EQ(hooks.events.size(), 0u);
  map();
  check();
}

TEST_F(Stage2TablesTest, MakeExecutableSplitsTheBlockAndFlipsOnePage) {
  map();
  const Ipa code = kRam + 2 * kBlock + 7 * kPage;
  ASSERT_TRUE(t.make_executable(code + 0x10, ExecMode::ReadExecute).is_ok());
  EXPECT_EQ(perms(code), (s2desc::Perms{true, false, true}));
  EXPECT_EQ(perms(code + kPage), (s2desc::Perms{true, true, false}));
  EXPECT_EQ(perms(code - kPage), (s2desc::Perms{true, true, false}));
  EXPECT_TRUE(s2desc::is_block(t.descriptor(kRam + kBlock))) << "other blocks stay blocks";
  EXPECT_EQ(t.pool_used(), 1u);
  EXPECT_TRUE(state(code).executable);
  check();
  // A second page of the same block needs no new table.
  ASSERT_TRUE(t.make_executable(code + kPage, ExecMode::ReadExecute).is_ok());
  EXPECT_EQ(t.pool_used(), 1u);
  check();
}

TEST_F(Stage2TablesTest, ALiveBlockIsNeverOverwrittenByATable) {
  map();
  hooks.events.clear();
  const Ipa block = kRam + 5 * kBlock;
  ASSERT_TRUE(t.make_executable(block + 3 * kPage, ExecMode::ReadExecute).is_ok());
  // The level-2 entry of the block: its stores, in order, with what the TLBs
  // were told in between.
  const uint64_t* l2 = &arena.tables[1].e[5];
  std::vector<std::string> seq;
  for (const Event& e : hooks.events) {
    if (e.kind == Event::Store && e.slot == l2)
      seq.push_back(e.value == 0 ? "invalid" : s2desc::is_table(e.value) ? "table" : "block");
    if (e.kind == Event::Invalidate && e.ipa == block && e.size == kBlock)
      seq.push_back(e.change == TlbChange::Restrict ? "tlbi-block" : "tlbi-block-relax");
  }
  EXPECT_EQ(seq, (std::vector<std::string>{"invalid", "tlbi-block", "table"}));
  // Then the page itself: permissions only, in place, then invalidated.
  const Event& last = hooks.events.back();
  EXPECT_EQ(last.kind, Event::Invalidate);
  EXPECT_EQ(last.ipa, block + 3 * kPage);
  EXPECT_EQ(last.size, kPage);
  EXPECT_EQ(last.change, TlbChange::Restrict);  // write permission went away
  check();
}

TEST_F(Stage2TablesTest, TheCheckerCatchesADirectOverwrite) {
  // The recorder itself must be able to fail: a store that replaces a live
  // block by a table without BBM.
  map();
  uint64_t* l2 = &arena.tables[1].e[0];
  const uint64_t table = s2desc::table(Pa(FakeArena::kPa + 2 * kPage));
  *l2 = table;
  hooks.stored(l2, table);
  EXPECT_FALSE(hooks.violations.empty());
}

TEST_F(Stage2TablesTest, PermissionFlips) {
  map();
  const Ipa p = kRam + 9 * kPage;
  ASSERT_TRUE(t.make_executable(p, ExecMode::ExecuteOnly).is_ok());
  EXPECT_EQ(perms(p), (s2desc::Perms{false, false, true}));
  check();
  ASSERT_TRUE(t.revoke_execute(p).is_ok());
  EXPECT_EQ(perms(p), (s2desc::Perms{true, true, false}));
  EXPECT_EQ(hooks.events.back().change, TlbChange::Restrict);  // execute went away
  check();
  ASSERT_TRUE(t.make_executable(p, ExecMode::ReadExecute).is_ok());
  ASSERT_TRUE(t.make_untracked(p).is_ok());
  EXPECT_EQ(perms(p), (s2desc::Perms{true, true, true}));
  EXPECT_EQ(hooks.events.back().change, TlbChange::Relax);  // only write was added
  EXPECT_TRUE(state(p).untracked);
  check();
  // Until it is revoked explicitly (the lowvisor wrote the page).
  ASSERT_TRUE(t.revoke_execute(p).is_ok());
  EXPECT_EQ(perms(p), (s2desc::Perms{true, true, false}));
  EXPECT_FALSE(state(p).untracked);
  check();
  // Revoking on a block that was never executable splits nothing.
  ASSERT_TRUE(t.revoke_execute(kRam + 100 * kBlock).is_ok());
  EXPECT_EQ(t.pool_used(), 1u);
  EXPECT_EQ(t.revoke_execute(kRam + 512 * kMiB).error(), Stage2Error::NotRam);
  EXPECT_EQ(t.make_executable(Ipa(0x0900'0000), ExecMode::ReadExecute).error(),
            Stage2Error::NotRam);
  check();
}

TEST_F(Stage2TablesTest, WriteXorExecuteHoldsForEveryTrackedPage) {
  map();
  // A deterministic mix over a few blocks; check_pages() asserts that no
  // tracked page is ever writable and executable at once.
  uint32_t x = 12345;
  for (int i = 0; i < 2000; ++i) {
    x = x * 1664525u + 1013904223u;
    const Ipa p = kRam + ((x >> 8) % 4) * kBlock + ((x >> 16) % 512) * kPage;
    switch (x % 5) {
      case 0: (void)t.make_executable(p, ExecMode::ReadExecute).is_ok(); break;
      case 1: (void)t.make_executable(p, ExecMode::ExecuteOnly).is_ok(); break;
      case 2: (void)t.revoke_execute(p).is_ok(); break;
      case 3: (void)t.mark_dirty(p).is_ok(); break;
      case 4: (void)t.clean(p, kPage).is_ok(); break;
    }
    hooks.end_of_operation();
    if (i % 100 == 0) check();
  }
  check();
}

TEST_F(Stage2TablesTest, DirtyTracking) {
  map();
  ASSERT_TRUE(t.clean(kRam, 512 * kMiB).is_ok());
  EXPECT_EQ(t.pool_used(), 0u) << "cleaning whole blocks splits nothing";
  EXPECT_EQ(perms(kRam), (s2desc::Perms{true, false, false}));
  EXPECT_FALSE(state(kRam).dirty);
  EXPECT_TRUE(state(kRam).writable) << "the guest may still write: the first write faults";
  check();
  // The write-permission fault on a clean page.
  const Ipa w = kRam + 3 * kBlock + 4 * kPage;
  ASSERT_TRUE(t.mark_dirty(w).is_ok());
  EXPECT_TRUE(state(w).dirty);
  EXPECT_FALSE(state(w + kPage).dirty) << "only the written page";
  EXPECT_EQ(perms(w), (s2desc::Perms{true, true, false}));
  EXPECT_EQ(perms(w + kPage), (s2desc::Perms{true, false, false}));
  EXPECT_EQ(hooks.events.back().change, TlbChange::Relax);
  check();
  // An executable page stays write-protected when it is dirty: W^X first.
  ASSERT_TRUE(t.make_executable(w + kPage, ExecMode::ReadExecute).is_ok());
  ASSERT_TRUE(t.mark_dirty(w + kPage).is_ok());
  EXPECT_EQ(perms(w + kPage), (s2desc::Perms{true, false, true}));
  check();
  // Part of a block, and a range across blocks.
  ASSERT_TRUE(t.clean(w, kPage).is_ok());
  EXPECT_FALSE(state(w).dirty);
  ASSERT_TRUE(t.mark_dirty(kRam + 6 * kBlock - kPage).is_ok());
  ASSERT_TRUE(t.mark_dirty(kRam + 6 * kBlock).is_ok());
  ASSERT_TRUE(t.clean(kRam + 6 * kBlock - kPage, 2 * kPage).is_ok());
  EXPECT_FALSE(state(kRam + 6 * kBlock - kPage).dirty);
  EXPECT_FALSE(state(kRam + 6 * kBlock).dirty);
  EXPECT_EQ(t.clean(kRam + 1, kPage).error(), Stage2Error::BadArgument);
  EXPECT_EQ(t.clean(kRam + 512 * kMiB - kPage, 2 * kPage).error(), Stage2Error::NotRam);
  check();
}

TEST_F(Stage2TablesTest, PagesOfAnotherOwnerAreNeverMapped) {
  map();
  const Ipa p = kRam + 11 * kPage;
  ASSERT_TRUE(t.set_owner(p, Owner::lowvisor()).is_ok());
  EXPECT_FALSE(s2desc::valid(t.descriptor(p)));
  EXPECT_TRUE(s2desc::valid(t.descriptor(p + kPage)));
  check();
  EXPECT_EQ(t.make_executable(p, ExecMode::ReadExecute).error(), Stage2Error::NotOwner);
  EXPECT_EQ(t.make_untracked(p).error(), Stage2Error::NotOwner);
  EXPECT_EQ(t.revoke_execute(p).error(), Stage2Error::NotOwner);
  EXPECT_EQ(t.mark_dirty(p).error(), Stage2Error::NotOwner);
  ASSERT_TRUE(t.clean(kRam, kBlock).is_ok());
  EXPECT_FALSE(s2desc::valid(t.descriptor(p))) << "cleaning does not map it back";
  ASSERT_TRUE(t.set_owner(p, Owner::vm(2)).is_ok());
  EXPECT_FALSE(s2desc::valid(t.descriptor(p)));
  check();
  // Given back: read/write, execute-never, dirty (nothing saved of it).
  ASSERT_TRUE(t.set_owner(p, kSelf).is_ok());
  EXPECT_EQ(perms(p), (s2desc::Perms{true, true, false}));
  EXPECT_TRUE(state(p).dirty);
  check();
}

class SmallPoolTest : public Stage2TablesTest {
 protected:
  SmallPoolTest() : Stage2TablesTest(1 + 1 + 2) {}
};

TEST_F(SmallPoolTest, AnEmptyPoolIsAnErrorNeverAnRwxBlock) {
  map();
  ASSERT_TRUE(t.make_executable(kRam, ExecMode::ReadExecute).is_ok());
  ASSERT_TRUE(t.make_executable(kRam + kBlock, ExecMode::ReadExecute).is_ok());
  hooks.events.clear();
  const Ipa third = kRam + 2 * kBlock;
  EXPECT_EQ(t.make_executable(third, ExecMode::ReadExecute).error(), Stage2Error::PoolExhausted);
  EXPECT_EQ(t.make_untracked(third).error(), Stage2Error::PoolExhausted);
  EXPECT_EQ(t.pool_exhausted_count(), 2u);
  EXPECT_EQ(hooks.events.size(), 0u) << "a refused split changes nothing";
  EXPECT_EQ(perms(third), (s2desc::Perms{true, true, false}));
  EXPECT_FALSE(state(third).executable);
  // Pages of blocks split already still flip.
  ASSERT_TRUE(t.make_executable(kRam + kBlock + kPage, ExecMode::ReadExecute).is_ok());
  check();
  // A fresh map_ram gives the pool back.
  map();
  EXPECT_EQ(t.pool_used(), 0u);
  ASSERT_TRUE(t.make_executable(third, ExecMode::ReadExecute).is_ok());
  check();
}

TEST_F(SmallPoolTest, DirtyLoggingWithoutTablesMarksTheWholeBlock) {
  map();
  ASSERT_TRUE(t.make_executable(kRam, ExecMode::ReadExecute).is_ok());
  ASSERT_TRUE(t.make_executable(kRam + kBlock, ExecMode::ReadExecute).is_ok());
  ASSERT_TRUE(t.clean(kRam, 512 * kMiB).is_ok());
  const Ipa w = kRam + 7 * kBlock + 3 * kPage;
  ASSERT_TRUE(t.mark_dirty(w).is_ok());
  EXPECT_TRUE(state(w).dirty);
  EXPECT_TRUE(state(kRam + 7 * kBlock).dirty) << "more pages dirty than written is safe";
  EXPECT_FALSE(state(kRam + 8 * kBlock).dirty);
  // Cleaning part of an unsplit block needs a table: refused, nothing changed.
  EXPECT_EQ(t.clean(w, kPage).error(), Stage2Error::PoolExhausted);
  EXPECT_TRUE(state(w).dirty);
  check();
}

TEST_F(Stage2TablesTest, MapRamTearsTheOldTablesDownFirst) {
  map();
  ASSERT_TRUE(t.make_executable(kRam, ExecMode::ReadExecute).is_ok());
  hooks.events.clear();
  map(256 * kMiB);
  // Level 1 goes invalid, the VMID is flushed, then the new tables go in.
  ASSERT_GE(hooks.events.size(), 2u);
  EXPECT_EQ(hooks.events[0].kind, Event::Store);
  EXPECT_EQ(hooks.events[0].value, 0u);
  EXPECT_EQ(hooks.events[1].kind, Event::InvalidateAll);
  EXPECT_EQ(hooks.count(Event::InvalidateAll), 1u);
  EXPECT_FALSE(state(kRam).executable);
  check();
  t.unmap_all();
  EXPECT_EQ(arena.tables[0].e[1], 0u);
  EXPECT_EQ(t.state(kRam).error(), Stage2Error::NotRam);
}

TEST(PhysOwnersTest, ClaimReleaseAndOwnerOf) {
  PhysOwners o;
  ASSERT_TRUE(o.claim(Pa(0x4000'0000), 64 * kMiB, Owner::lowvisor()).is_ok());
  ASSERT_TRUE(o.claim(Pa(0x4400'0000), 128 * kMiB, Owner::vm(0)).is_ok());
  EXPECT_EQ(o.claim(Pa(0x4200'0000), 64 * kMiB, Owner::vm(1)).error(), OwnerError::Overlap);
  EXPECT_EQ(o.claim(Pa(0x4400'0000), 0, Owner::vm(1)).error(), OwnerError::BadRange);
  EXPECT_EQ(o.claim(Pa(~0ull - 10), 4096, Owner::vm(1)).error(), OwnerError::BadRange);
  EXPECT_EQ(o.owner_of(Pa(0x4400'0000), 128 * kMiB), Owner::vm(0));
  EXPECT_EQ(o.owner_of(Pa(0x43ff'f000), 8192), Owner::none()) << "straddles two owners";
  EXPECT_EQ(o.owner_of(Pa(0x4c00'0000), 4096), Owner::none()) << "nobody's";
  // The same owner may claim next to and over its own.
  ASSERT_TRUE(o.claim(Pa(0x4c00'0000), 2 * kMiB, Owner::vm(0)).is_ok());
  EXPECT_EQ(o.owner_of(Pa(0x4400'0000), 130 * kMiB), Owner::vm(0));
  o.release(Owner::vm(0));
  EXPECT_EQ(o.owner_of(Pa(0x4400'0000), 4096), Owner::none());
  ASSERT_TRUE(o.claim(Pa(0x4400'0000), 64 * kMiB, Owner::vm(1)).is_ok());
  for (unsigned i = 2; i < PhysOwners::kMaxRanges; ++i)
    ASSERT_TRUE(o.claim(Pa(0x1'0000'0000 + i * kMiB), kMiB, Owner::vm(2)).is_ok());
  EXPECT_EQ(o.claim(Pa(0x2'0000'0000), kMiB, Owner::vm(2)).error(), OwnerError::Full);
}

TEST(Stage2TypesTest, IpaAndPaDoNotMix) {
  static_assert(!std::is_convertible_v<Ipa, Pa> && !std::is_convertible_v<Pa, Ipa>);
  static_assert(!std::is_convertible_v<uint64_t, Ipa> && !std::is_convertible_v<uint64_t, Pa>);
  static_assert(!std::is_constructible_v<Pa, Ipa>);
  EXPECT_EQ((Ipa(0x1000) + 0x234).value(), 0x1234u);
  EXPECT_EQ(Ipa(0x1234).align_down(kPage), Ipa(0x1000));
  EXPECT_EQ(stage2_error_text(Stage2Error::PoolExhausted),
            std::string("no level-3 table left in the VM's pool"));
}

}  // namespace
}  // namespace nestlab
