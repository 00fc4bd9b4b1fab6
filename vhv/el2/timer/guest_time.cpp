#include "vhv/el2/timer/guest_time.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

// Debt in host counter ticks still to be added to guest time (Accelerated).
uint64_t g_debt = 0;
uint64_t g_last_host = 0;  // host count at vCPU 0's previous entry while in debt
// The offset each CPU last loaded into CNTVOFF_EL2 (~0: none yet).
uint64_t g_loaded[kMaxCpus];
bool g_loaded_init = false;

// Wall-clock nanoseconds to counter ticks at CNTFRQ_EL0 without overflow
// for pauses up to centuries.
uint64_t ns_to_ticks(uint64_t ns) {
  const uint64_t freq = read_sysreg(cntfrq_el0);
  return (ns / 1000000000ull) * freq + (ns % 1000000000ull) * freq / 1000000000ull;
}

}  // namespace

void guest_time_reset() {
  g_debt = 0;
  g_last_host = 0;
  for (auto& v : g_loaded) v = ~0ull;
  g_loaded_init = true;
}

void guest_time_resumed(Vm& vm, channel::TickPolicy policy, uint64_t paused_ns) {
  const uint64_t ticks = ns_to_ticks(paused_ns);
  switch (policy) {
    case channel::TickPolicy::Skip: vm.set_cntvoff(vm.cntvoff() - ticks); break;
    case channel::TickPolicy::Accelerated:
      g_debt += ticks;
      g_last_host = read_sysreg(cntpct_el0);
      break;
    case channel::TickPolicy::None: break;
  }
}

bool guest_time_sync(Vm& vm, unsigned vcpu) {
  if (!g_loaded_init) guest_time_reset();
  if (vcpu == 0 && g_debt) {
    arch::isb();
    const uint64_t now = read_sysreg(cntpct_el0);
    uint64_t step = now - g_last_host;
    if (step > g_debt) step = g_debt;
    g_last_host = now;
    g_debt -= step;
    if (step) vm.set_cntvoff(vm.cntvoff() - step);
  }
  uint64_t& loaded = g_loaded[vcpu % kMaxCpus];
  const uint64_t off = vm.cntvoff();
  if (loaded == off) return false;
  loaded = off;
  write_sysreg(cntvoff_el2, off);
  arch::isb();
  return true;
}

}  // namespace nestlab
