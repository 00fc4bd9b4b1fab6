#include "vhv/el2/timer/guest_time.h"

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

// Wall-clock nanoseconds to counter ticks at CNTFRQ_EL0 without overflow
// for pauses up to centuries.
uint64_t ns_to_ticks(uint64_t ns) {
  const uint64_t freq = read_sysreg(cntfrq_el0);
  return (ns / 1000000000ull) * freq + (ns % 1000000000ull) * freq / 1000000000ull;
}

}  // namespace

void guest_time_resumed(Vm& vm, channel::TickPolicy policy, uint64_t paused_ns) {
  const uint64_t ticks = ns_to_ticks(paused_ns);
  GuestTime& time = vm.guest_time();
  switch (policy) {
    case channel::TickPolicy::Skip: vm.set_cntvoff(vm.cntvoff() - ticks); break;
    case channel::TickPolicy::Accelerated:
      time.debt += ticks;
      time.last_host = read_sysreg(cntpct_el0);
      break;
    case channel::TickPolicy::None: break;
  }
}

bool guest_time_sync(Vm& vm, unsigned vcpu) {
  GuestTime& time = vm.guest_time();
  if (vcpu == 0 && time.debt) {
    arch::isb();
    const uint64_t now = read_sysreg(cntpct_el0);
    uint64_t step = now - time.last_host;
    if (step > time.debt) step = time.debt;
    time.last_host = now;
    time.debt -= step;
    if (step) vm.set_cntvoff(vm.cntvoff() - step);
  }
  uint64_t& loaded = time.loaded[vcpu % kMaxCpus];
  const uint64_t off = vm.cntvoff();
  if (loaded == off) return false;
  loaded = off;
  write_sysreg(cntvoff_el2, off);
  arch::isb();
  return true;
}

}  // namespace nestlab
