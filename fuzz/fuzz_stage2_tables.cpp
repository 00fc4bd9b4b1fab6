// The stage-2 memory manager under random operation sequences: each 3-byte
// record of the input is one operation on one page (or range) of a small
// guest RAM with a small level-3 pool, so pool exhaustion, dirty logging,
// owner changes and re-mapping all happen. After every operation the
// recorded descriptor stores must show break-before-make, and every page of
// the touched block must translate exactly as its state says (W^X for
// tracked pages, clean pages write-protected, other owners' pages unmapped).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "vhv/common/stage2_tables.h"
#include "vhv/common/stage2_tables_check.h"

namespace {

using namespace nestlab;

constexpr Ipa kRam{0x4000'0000};
constexpr Pa kRamPa{0x4400'0000};
constexpr uint64_t kRamSize = 16ull << 20;  // 8 blocks, more than the pool holds
constexpr unsigned kTables = 1 + 1 + 6;     // a pool of 6 level-3 tables
const Owner kSelf = Owner::vm(0);

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "stage-2 invariant broken: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  s2check::FakeArena arena(kTables);
  s2check::RecordingHooks hooks;
  PhysOwners owners;
  if (owners.claim(kRamPa, kRamSize, kSelf).is_error()) fail("claim");
  if (owners.claim(kRamPa + kRamSize, kRamSize, Owner::vm(1)).is_error()) fail("claim");
  Stage2Tables t(arena.arena(), hooks, kSelf);
  uint64_t ram = kRamSize;
  if (t.map_ram(kRam, kRamPa, ram, owners).is_error()) fail("map_ram");
  for (size_t i = 0; i + 3 <= size; i += 3) {
    const uint8_t op = data[i];
    const unsigned block = data[i + 1] % (ram / Stage2Tables::kBlock + 1);  // one past RAM too
    const Ipa page =
        kRam + block * Stage2Tables::kBlock + (data[i + 2] % 512) * Stage2Tables::kPage;
    const uint64_t before = t.descriptor(page);
    Result<void, Stage2Error> r{};
    switch (op % 9) {
      case 0: r = t.make_executable(page, ExecMode::ReadExecute); break;
      case 1: r = t.make_executable(page, ExecMode::ExecuteOnly); break;
      case 2: r = t.revoke_execute(page); break;
      case 3: r = t.make_untracked(page); break;
      case 4: r = t.mark_dirty(page); break;
      case 5: r = t.clean(page, (op >> 4) * Stage2Tables::kPage * 97 + Stage2Tables::kPage); break;
      case 6: r = t.set_owner(page, (op & 0x10) ? Owner::lowvisor() : Owner::vm(1)); break;
      case 7: r = t.set_owner(page, kSelf); break;
      case 8: {
        // Re-map, sometimes over memory this VM does not own (refused).
        const uint64_t want = ((op >> 4) % 3 + 1) * (kRamSize / 2);
        r = t.map_ram(kRam, kRamPa, want, owners);
        if (r.is_ok()) ram = want;
        if (r.is_ok() != (want <= kRamSize)) fail("map_ram over another VM's memory");
        break;
      }
    }
    hooks.end_of_operation();
    if (!hooks.violations.empty()) fail(hooks.violations.front());
    if (r.is_error() && r.error() == Stage2Error::PoolExhausted && t.descriptor(page) != before)
      fail("a refused split changed the page's descriptor");
    if (op % 9 != 5 && r.is_error() && r.error() == Stage2Error::NotRam && t.in_ram(page))
      fail("NotRam in RAM");
    if (t.pool_used() > t.pool_size()) fail("pool overrun");
    const Ipa base = page.align_down(Stage2Tables::kBlock);
    if (t.in_ram(base)) {
      const std::string broken = s2check::check_pages(t, base, Stage2Tables::kBlock, kSelf);
      if (!broken.empty()) fail(broken);
    }
  }
  const std::string broken = s2check::check_pages(t, kRam, ram, kSelf);
  if (!broken.empty()) fail(broken);
  return 0;
}
