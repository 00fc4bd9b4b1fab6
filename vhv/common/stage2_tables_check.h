// Host-side checks of Stage2Tables for its unit test and its fuzzer: fake
// table memory, hooks that record every descriptor store and TLB
// invalidation and enforce break-before-make as they happen, and a walk over
// every page that checks the manager's invariants. Not built into the
// lowvisor.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "vhv/common/stage2_tables.h"

namespace nestlab::s2check {

// Table memory at a made-up physical address, far from any RAM a test maps.
struct FakeArena {
  static constexpr uint64_t kPa = 0x7'0000'0000ull;
  explicit FakeArena(unsigned count) : tables(count), info(count) {}
  TableArena arena() {
    return TableArena{reinterpret_cast<Table*>(tables.data()),
                      reinterpret_cast<TableInfo*>(info.data()),
                      static_cast<unsigned>(tables.size()), Pa(kPa)};
  }
  struct alignas(4096) T {
    uint64_t e[s2desc::kEntries] = {};
  };
  struct I {
    PageInfo p[s2desc::kEntries] = {};
  };
  std::vector<T> tables;
  std::vector<I> info;
};

struct Event {
  enum Kind { Store, Invalidate, InvalidateAll } kind = Store;
  const uint64_t* slot = nullptr;
  uint64_t value = 0;  // Store: the new descriptor
  Ipa ipa;             // Invalidate
  uint64_t size = 0;
  TlbChange change = TlbChange::Relax;
};

// Records the sequence and fails (violations non-empty) when a valid entry
// is replaced by a different valid mapping without going invalid and being
// invalidated first, or when an entry that lost permissions or went invalid
// is not followed by an invalidation covering it before the next store to it.
class RecordingHooks final : public Stage2Hooks {
 public:
  void invalidate(Ipa ipa, uint64_t size, TlbChange change) override {
    events.push_back({Event::Invalidate, nullptr, 0, ipa, size, change});
    pending.clear();
  }
  void invalidate_all() override {
    Event e;
    e.kind = Event::InvalidateAll;
    events.push_back(e);
    pending.clear();
    // Nothing the walker saw before is reachable now (map_ram and unmap_all
    // cleared level 1 first): tables are filled afresh after this.
    shadow.clear();
  }
  void stored(const uint64_t* slot, uint64_t value) override {
    Event e;
    e.slot = slot;
    e.value = value;
    events.push_back(e);
    const uint64_t old = shadow.count(slot) ? shadow[slot] : 0;
    if (pending.count(slot))
      violations.push_back("a store to an entry whose old value was not invalidated yet");
    if (s2desc::valid(old) && s2desc::valid(value) &&
        (s2desc::output(old) != s2desc::output(value) ||
         (old & s2desc::kTypeMask) != (value & s2desc::kTypeMask)))
      violations.push_back("a valid entry was overwritten by a different mapping (no BBM)");
    if (s2desc::valid(old)) pending[slot] = true;
    shadow[slot] = value;
  }
  // A store that needs an invalidation is owed one until the next invalidate;
  // call at the end of each operation.
  void end_of_operation() {
    if (!pending.empty()) violations.push_back("an operation ended with a TLB invalidation owed");
    pending.clear();
  }
  unsigned count(Event::Kind kind) const {
    unsigned n = 0;
    for (const Event& e : events) n += e.kind == kind;
    return n;
  }

  std::vector<Event> events;
  std::vector<std::string> violations;
  std::unordered_map<const uint64_t*, uint64_t> shadow;
  std::unordered_map<const uint64_t*, bool> pending;
};

inline std::string hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Every page of RAM: its descriptor says exactly what its state allows.
// Returns the first broken rule, or "" when all hold.
inline std::string check_pages(const Stage2Tables& t, Ipa ram, uint64_t size, Owner self) {
  for (uint64_t off = 0; off < size; off += Stage2Tables::kPage) {
    const Ipa ipa = ram + off;
    const uint64_t d = t.descriptor(ipa);
    auto st = t.state(ipa);
    if (st.is_error()) return "state() failed inside RAM";
    const PageStatus& s = st.value();
    const auto at = [ipa] { return " at ipa 0x" + hex(ipa.value()); };
    if (s.owner != self) {
      if (s2desc::valid(d)) return "a page of another owner is mapped" + at();
      continue;
    }
    if (!s2desc::valid(d)) return "an own page is not mapped" + at();
    const uint64_t within = s2desc::is_block(d) ? off % Stage2Tables::kBlock : 0;
    if (s2desc::output(d) + within != t.pa_of(ipa).align_down(Stage2Tables::kPage))
      return "a page maps to the wrong PA" + at();
    const s2desc::Perms p = s2desc::perms(d);
    if (s.untracked) {
      if (!(p.read && p.write && p.exec)) return "an untracked page lacks a permission" + at();
      continue;
    }
    if (p.write && p.exec) return "a tracked page is writable and executable (W^X)" + at();
    if (p.write && !s.dirty) return "a clean page is writable (writes not logged)" + at();
    if (p.exec != s.executable || p.read != s.readable)
      return "descriptor and state disagree" + at();
    if (p.write != (s.writable && s.dirty && !s.executable))
      return "write permission disagrees with the state" + at();
  }
  return "";
}

}  // namespace nestlab::s2check
