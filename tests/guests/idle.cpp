// An idle guest: a 100 Hz timer tick (like a tickful kernel with HZ=100)
// and WFI in between, for `seconds=N` (default 10), then power-off with 0.
// Under a VHV its vCPU blocks in WFI, so it should cost (almost) no host
// CPU: bench/idle_cpu.py measures that.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

struct alignas(4096) State {  // away from the code (S15: W^X pages)
  volatile uint64_t ticks;
};
State g_state;

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame*, uint64_t kind) {
  if (kind != 5) psci_system_off(3);
  const uint32_t intid = guest::gic_ack();
  if (intid == guest::kVtimerIntid) {
    guest::timer_disarm();
    g_state.ticks = g_state.ticks + 1;
  }
  if (intid < 1020) guest::gic_eoi(intid);
}

extern "C" int guest_main(uint64_t dtb) {
  const uint64_t seconds = guest::bootarg_number(guest::bootargs(dtb), "seconds", 10);
  const uint64_t hz = guest::frequency();
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_private(guest::kVtimerIntid, 0xa0);
  guest::irq_enable();
  guest::printf("idle: %llu s of 100 Hz ticks\n", static_cast<unsigned long long>(seconds));
  const uint64_t start = guest::counter();
  uint64_t next = start;
  for (uint64_t i = 0; i < seconds * 100; ++i) {
    next += hz / 100;
    guest::timer_arm_at(next);
    guest::wait_until([i] { return g_state.ticks != i; });
  }
  guest::printf("idle: %llu ticks in %llu ms\n", static_cast<unsigned long long>(g_state.ticks),
                static_cast<unsigned long long>((guest::counter() - start) * 1000 / hz));
  // "exit=N": power off with N (several-VM tests tell VMs apart by it).
  const auto code = static_cast<int>(guest::bootarg_number(guest::bootargs(dtb), "exit", 0) & 0xff);
  if (code) guest::printf("idle: exiting with %d\n", code);
  return code;
}
