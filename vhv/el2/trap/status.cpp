#include "vhv/el2/trap/status.h"

#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/runtime/current_vm.h"
#include "vhv/el2/trap/backdoor_services.h"
#include "vhv/el2/trap/trace.h"

namespace nestlab {
namespace {

StatusPage& page(unsigned slot) {
  return *reinterpret_cast<StatusPage*>(layout::status_pa(slot % layout::kMaxVms));
}

template <typename F>
void update(unsigned slot, F&& f) {
  volatile uint64_t& gen = page(slot).generation;
  gen = gen + 1;  // odd: update in progress
  arch::dmb_ishst();
  f(page(slot));
  arch::dmb_ishst();
  gen = gen + 1;
}

}  // namespace

void StatusWriter::init() {
  for (unsigned slot = 0; slot < layout::kMaxVms; ++slot) {
    StatusPage& p = page(slot);
    p.generation = 1;
    arch::dmb_ishst();
    auto* words = reinterpret_cast<volatile uint64_t*>(&p);
    for (size_t i = 2; i < sizeof(p) / 8; ++i) words[i] = 0;
    p.vm_state = uint64_t(VmState::Idle);
    p.magic = StatusPage::kMagic;
    arch::dmb_ishst();
    p.generation = 2;
  }
  TraceWriter::init();
}

void StatusWriter::count_exit(ExceptionClass ec) {
  // The entry that ended in this exit is counted here too: one seqlock
  // update per round trip instead of two (see count_entry()).
  update(current_vm_slot(), [ec](StatusPage& p) {
    ++p.guest_entries;
    ++p.exits_by_ec[static_cast<uint8_t>(ec) & 63];
    ++p.total_exits;
  });
}

void StatusWriter::count_entry() {
  update(current_vm_slot(), [](StatusPage& p) { ++p.guest_entries; });
}

void StatusWriter::set_state(unsigned slot, VmState state) {
  update(slot, [state](StatusPage& p) { p.vm_state = uint64_t(state); });
}

void StatusWriter::reset_counters(unsigned slot, uint32_t vcpus, uint32_t weight) {
  update(slot, [vcpus, weight](StatusPage& p) {
    for (auto& c : p.exits_by_ec) c = 0;
    p.total_exits = 0;
    p.guest_entries = 0;
    p.vcpu_count = vcpus;
    p.weight = weight;
    for (auto& v : p.vcpus) v = VcpuSchedStats{};
    p.watchdog_fired = 0;
  });
  // The trace rings and trap statistics belong to the VM too.
  TraceWriter::reset(slot);
  backdoor_on_vm_start(slot);
}

void StatusWriter::set_vcpu_stats(unsigned slot, unsigned vcpu, const VcpuSchedStats& stats) {
  update(slot, [vcpu, &stats](StatusPage& p) { p.vcpus[vcpu % 8] = stats; });
}

void StatusWriter::count_watchdog(unsigned slot) {
  update(slot, [](StatusPage& p) { ++p.watchdog_fired; });
}

}  // namespace nestlab
