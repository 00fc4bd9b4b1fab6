// Virtual timer guest: programs the EL1 virtual timer (CNTV_CVAL_EL0) for
// `ticks=N` deadlines `period_us=P` apart, sleeps in WFI, and in the
// interrupt handler measures how late it was entered (handler entry minus
// the deadline, never negative). It also checks the GIC state a guest can
// read back: the timer PPI (27) pending while interrupts are masked, active
// inside the handler. Prints "timer latency us: min avg max" and exits 0
// when every check held.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

// Written by the handler: kept on a page of its own, away from the code
// (a VHV makes a page executable or writable, not both at once: S15).
struct alignas(4096) State {
  volatile uint64_t ptimer_fired;
  volatile uint64_t fired;
  volatile uint64_t deadline;
  volatile uint64_t late_min, late_max, late_sum;
  volatile bool early, inactive_in_handler;
};
State g_state;
volatile uint64_t& g_fired = g_state.fired;
volatile uint64_t& g_deadline = g_state.deadline;
volatile uint64_t& g_late_min = g_state.late_min;
volatile uint64_t& g_late_max = g_state.late_max;
volatile uint64_t& g_late_sum = g_state.late_sum;
volatile bool& g_early = g_state.early;
volatile bool& g_inactive_in_handler = g_state.inactive_in_handler;

constexpr uint32_t kPtimerIntid = 30;

uint64_t physical_counter() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
  return v;
}

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* f, uint64_t kind) {
  const uint64_t now = guest::counter();
  guest::expect_irq(f, kind);
  const uint32_t intid = guest::gic_ack();
  if (intid == kPtimerIntid) {
    asm volatile("msr cntp_ctl_el0, %0; isb" ::"r"(uint64_t(0)));
    g_state.ptimer_fired = g_state.ptimer_fired + 1;
  }
  if (intid == guest::kVtimerIntid) {
    if (now < g_deadline) g_early = true;
    const uint64_t late = now - g_deadline;
    if (late < g_late_min) g_late_min = late;
    if (late > g_late_max) g_late_max = late;
    g_late_sum = g_late_sum + late;
    const uint32_t active = guest::gic_private_active();
    if (!(active & (1u << guest::kVtimerIntid))) {
      if (!g_inactive_in_handler)
        guest::printf("timer: GICR_ISACTIVER0 0x%x in the handler\n", active);
      g_inactive_in_handler = true;
    }
    guest::timer_disarm();  // lowers the timer's level before the EOI
    g_fired = g_fired + 1;
  }
  if (intid < 1020) guest::gic_eoi(intid);
}

extern "C" int guest_main(uint64_t dtb) {
  const char* args = guest::bootargs(dtb);
  const uint64_t ticks = guest::bootarg_number(args, "ticks", 20);
  const uint64_t period_us = guest::bootarg_number(args, "period_us", 2000);
  const uint64_t hz = guest::frequency();
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_private(guest::kVtimerIntid, 0xa0);
  int failures = 0;
  g_late_min = ~0ull;

  // Pending state, read back with interrupts masked at the CPU.
  g_deadline = guest::counter() + hz / 1000;
  guest::timer_arm_at(g_deadline);
  // Pending as the redistributor (GICR_ISPENDR0) or the CPU interface
  // (ICC_HPPIR1_EL1) reports it; polled for up to 200 ms, as a loaded host
  // may deliver the timer's level late.
  bool pending = false;
  while (!pending && guest::counter() < g_deadline + hz / 5) {
    uint64_t hppir;
    asm volatile("mrs %0, S3_0_C12_C12_2" : "=r"(hppir));
    pending = (guest::gic_private_pending() & (1u << guest::kVtimerIntid)) ||
              (hppir & 0xffffff) == guest::kVtimerIntid;
  }
  guest::printf("timer: PPI 27 pending while masked: %s\n", pending ? "yes" : "no");
  if (!pending) ++failures;
  guest::irq_enable();  // taken now
  for (int i = 0; i < 1000000 && g_fired == 0; ++i) asm volatile("yield");
  if (g_fired != 1) ++failures;
  g_late_min = ~0ull;
  g_late_max = 0;
  g_late_sum = 0;
  g_fired = 0;

  for (uint64_t i = 0; i < ticks; ++i) {
    g_deadline = guest::counter() + period_us * hz / 1'000'000;
    guest::timer_arm_at(g_deadline);
    guest::wait_until([i] { return g_fired != i; });
  }
  const uint64_t us_min = g_late_min * 1'000'000 / hz, us_max = g_late_max * 1'000'000 / hz;
  const uint64_t us_avg = ticks ? g_late_sum * 1'000'000 / hz / ticks : 0;
  guest::printf("timer: %llu interrupts at %llu us intervals (CNTFRQ %llu Hz)\n",
                static_cast<unsigned long long>(g_fired),
                static_cast<unsigned long long>(period_us), static_cast<unsigned long long>(hz));
  guest::printf("timer latency us: min %llu avg %llu max %llu\n",
                static_cast<unsigned long long>(us_min), static_cast<unsigned long long>(us_avg),
                static_cast<unsigned long long>(us_max));
  guest::printf("timer: never early: %s, active in handler: %s\n", g_early ? "no" : "yes",
                g_inactive_in_handler ? "no" : "yes");
  if (g_early || g_inactive_in_handler || g_fired != ticks) ++failures;
  // The physical counter and timer (trapped and emulated in a VHV, S10):
  // physical time is at least virtual time and moves with it; a 1 ms
  // CNTP_TVAL deadline raises PPI 30.
  const uint64_t v0 = guest::counter(), p0 = physical_counter(), v1 = guest::counter();
  const bool counters_ok = v0 <= p0 && p0 <= v1;  // the same time base
  guest::gic_enable_private(kPtimerIntid, 0xa0);
  asm volatile("msr cntp_tval_el0, %0; msr cntp_ctl_el0, %1; isb" ::"r"(hz / 1000),
               "r"(uint64_t(1)));
  int wakeups = 0;
  guest::wait_until([&] { return g_state.ptimer_fired != 0 || ++wakeups > 100; });
  guest::printf("timer: physical counter %s, physical timer interrupts: %llu\n",
                counters_ok ? "consistent" : "INCONSISTENT",
                static_cast<unsigned long long>(g_state.ptimer_fired));
  if (!counters_ok || g_state.ptimer_fired != 1) ++failures;
  guest::printf("timer: %d failures\n", failures);
  return failures;
}
