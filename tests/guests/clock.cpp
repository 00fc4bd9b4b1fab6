// Guest time across pause/resume (S10): a periodic virtual-timer tick every
// `period_ms=P` of guest time (each deadline relative to the previous
// interrupt's entry), `ticks=N` of them. At each tick it prints
// "clock: tick I t_ms T p_ms Q" with guest virtual time T and guest physical
// time Q (CNTPCT_EL0, trapped and emulated in a VHV), and checks that
// neither ever goes backwards ("clock: BACKWARDS" otherwise). Exits 0 when
// time was monotonic throughout.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

// Written by the handler: on a page of its own (S15: W^X).
struct alignas(4096) State {
  volatile uint64_t fired;
};
State g_state;

uint64_t physical_counter() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
  return v;
}

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* f, uint64_t kind) {
  guest::expect_irq(f, kind);
  const uint32_t intid = guest::gic_ack();
  if (intid == guest::kVtimerIntid) {
    guest::timer_disarm();
    g_state.fired = g_state.fired + 1;
  }
  if (intid < 1020) guest::gic_eoi(intid);
}

extern "C" int guest_main(uint64_t dtb) {
  const char* args = guest::bootargs(dtb);
  const uint64_t ticks = guest::bootarg_number(args, "ticks", 50);
  const uint64_t period_ms = guest::bootarg_number(args, "period_ms", 100);
  const uint64_t hz = guest::frequency();
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_private(guest::kVtimerIntid, 0xa0);
  guest::irq_enable();
  const uint64_t start_v = guest::counter();
  uint64_t last_v = start_v, last_p = physical_counter();
  bool backwards = false;
  guest::printf("clock: start CNTFRQ %llu Hz, period %llu ms\n",
                static_cast<unsigned long long>(hz), static_cast<unsigned long long>(period_ms));
  for (uint64_t i = 0; i < ticks; ++i) {
    guest::timer_arm_at(guest::counter() + period_ms * hz / 1000);
    guest::wait_until([i] { return g_state.fired != i; });
    const uint64_t v = guest::counter(), p = physical_counter();
    if (v < last_v || p < last_p) {
      backwards = true;
      guest::printf("clock: BACKWARDS at tick %llu\n", static_cast<unsigned long long>(i));
    }
    last_v = v;
    last_p = p;
    guest::printf("clock: tick %llu t_ms %llu p_ms %llu\n", static_cast<unsigned long long>(i),
                  static_cast<unsigned long long>((v - start_v) * 1000 / hz),
                  static_cast<unsigned long long>(p * 1000 / hz));
  }
  guest::printf("clock: done, %s\n", backwards ? "time went BACKWARDS" : "monotonic");
  return backwards ? 1 : 0;
}
