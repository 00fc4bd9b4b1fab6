#include "vhv/el2/trap/status.h"

#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/trap/backdoor_services.h"
#include "vhv/el2/trap/trace.h"

namespace nestlab {
namespace {

StatusPage& page() { return *reinterpret_cast<StatusPage*>(layout::kStatusPa); }

template <typename F>
void update(F&& f) {
  volatile uint64_t& gen = page().generation;
  gen = gen + 1;  // odd: update in progress
  arch::dmb_ishst();
  f(page());
  arch::dmb_ishst();
  gen = gen + 1;
}

}  // namespace

void StatusWriter::init() {
  StatusPage& p = page();
  p.generation = 1;
  arch::dmb_ishst();
  for (auto& c : p.exits_by_ec) c = 0;
  p.total_exits = 0;
  p.guest_entries = 0;
  p.vm_state = uint64_t(VmState::Idle);
  p.magic = StatusPage::kMagic;
  arch::dmb_ishst();
  p.generation = 2;
  TraceWriter::init();
}

void StatusWriter::count_exit(ExceptionClass ec) {
  // The entry that ended in this exit is counted here too: one seqlock
  // update per round trip instead of two (see count_entry()).
  update([ec](StatusPage& p) {
    ++p.guest_entries;
    ++p.exits_by_ec[static_cast<uint8_t>(ec) & 63];
    ++p.total_exits;
  });
}

void StatusWriter::count_entry() {
  update([](StatusPage& p) { ++p.guest_entries; });
}

void StatusWriter::set_state(VmState state) {
  update([state](StatusPage& p) { p.vm_state = uint64_t(state); });
}

void StatusWriter::reset_counters() {
  update([](StatusPage& p) {
    for (auto& c : p.exits_by_ec) c = 0;
    p.total_exits = 0;
    p.guest_entries = 0;
  });
  // The trace rings and trap statistics belong to the VM too.
  TraceWriter::reset();
  backdoor_on_vm_start();
}

}  // namespace nestlab
