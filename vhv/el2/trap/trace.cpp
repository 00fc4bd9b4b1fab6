#include "vhv/el2/trap/trace.h"

#include "vhv/common/layout.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/runtime/current_vm.h"

namespace nestlab {
namespace {

trace::Ring& ring(unsigned slot, unsigned vcpu) {
  return *reinterpret_cast<trace::Ring*>(layout::trace_pa(slot % layout::kMaxVms, vcpu));
}

unsigned current_vcpu() {
  return static_cast<unsigned>(read_sysreg(vmpidr_el2) & 0xff) % trace::kMaxTraceVcpus;
}

uint16_t g_detail[kMaxCpus];  // per physical CPU: the exit it is handling

// Counter ticks to ns as one multiply and shift (the Linux clocksource way):
// ns = ticks * g_mult >> 32, with g_mult = 10^9 * 2^32 / CNTFRQ_EL0 fixed at
// init. The 128-bit product cannot overflow; two divisions per exit on the
// hot path cost more than the rest of the trace record.
uint64_t g_mult = 1'000'000'000ull << 32;

static_assert(sizeof(trace::Ring) <= layout::kTraceStride);

}  // namespace

trace::TrapStats& TraceWriter::stats_of(unsigned slot) {
  return *reinterpret_cast<trace::TrapStats*>(layout::trap_stats_pa(slot % layout::kMaxVms));
}

trace::TrapStats& TraceWriter::stats() { return stats_of(current_vm_slot()); }

uint64_t TraceWriter::now_ns() {
  const unsigned __int128 t = read_sysreg(cntpct_el0);
  return static_cast<uint64_t>((t * g_mult) >> 32);
}

void TraceWriter::init() {
  uint64_t frequency = read_sysreg(cntfrq_el0);
  if (frequency == 0) frequency = 1;
  g_mult = (1'000'000'000ull << 32) / frequency;  // 10^9 < 2^30: no overflow
  for (unsigned slot = 0; slot < layout::kMaxVms; ++slot) {
    for (unsigned v = 0; v < trace::kMaxTraceVcpus; ++v) {
      trace::Ring& r = ring(slot, v);
      r.magic = 0;
      r.capacity = trace::kTraceEntries;
      r.vcpu = v;
      for (auto& x : r.reserved) x = 0;
    }
    trace::TrapStats& s = TraceWriter::stats_of(slot);
    s.magic = 0;
    reset(slot);
    arch::dmb_ishst();
    for (unsigned v = 0; v < trace::kMaxTraceVcpus; ++v) ring(slot, v).magic = trace::kRingMagic;
    s.magic = trace::kStatsMagic;
    arch::dmb_ishst();
  }
}

void TraceWriter::reset(unsigned slot) {
  for (unsigned v = 0; v < trace::kMaxTraceVcpus; ++v) {
    trace::Ring& r = ring(slot, v);
    r.head = 0;
    for (auto& e : r.entries) e.seq = 0;
  }
  trace::TrapStats& s = TraceWriter::stats_of(slot);
  const uint64_t magic = s.magic;
  auto* words = reinterpret_cast<volatile uint64_t*>(&s);
  for (unsigned i = 1; i < sizeof(s) / 8; ++i) words[i] = 0;
  s.magic = magic;
  arch::dmb_ishst();
}

void TraceWriter::set_detail(uint16_t detail) { g_detail[this_cpu() % kMaxCpus] = detail; }

void TraceWriter::record(const ExitInfo& exit, trace::Result result) {
  const unsigned v = current_vcpu();
  const unsigned cpu = this_cpu() % kMaxCpus;
  trace::Ring& r = ring(current_vm_slot(), v);
  const uint64_t index = r.head;
  volatile trace::Entry& e = r.entries[index % trace::kTraceEntries];
  e.seq = 0;
  arch::dmb_ishst();
  e.time_ns = now_ns();
  e.pc = exit.pc;
  e.iss = exit.iss;
  e.ec = static_cast<uint8_t>(exit.ec);
  e.result = static_cast<uint8_t>(result);
  e.detail = g_detail[cpu];
  g_detail[cpu] = 0;
  arch::dmb_ishst();
  e.seq = index + 1;
  arch::dmb_ishst();
  *reinterpret_cast<volatile uint64_t*>(&r.head) = index + 1;
}

}  // namespace nestlab
