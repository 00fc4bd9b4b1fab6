// Two vCPUs pass a token back and forth `rounds=N` times (default 200): each
// waits for its turn in a WFE loop, as a spinlock waiter does (Linux's
// smp_cond_load_acquire), then passes the token on and sends an event
// (SEV). In a VHV with fewer CPUs than vCPUs the waiter must give its CPU to
// the token holder (the scheduler's WFE-as-idle yield), or every handoff
// costs a whole time slice. Prints the rounds and the guest time they took;
// exit code 0 when every handoff happened in order.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

volatile uint64_t g_token;  // even: vCPU 0's turn, odd: vCPU 1's
volatile uint64_t g_rounds;
volatile bool g_out_of_order;
volatile bool g_done1;

void wait_for_turn(unsigned me) {
  while ((__atomic_load_n(&g_token, __ATOMIC_ACQUIRE) & 1) != me) asm volatile("wfe" ::: "memory");
}

void play(unsigned me) {
  for (uint64_t i = 0; i < g_rounds; ++i) {
    wait_for_turn(me);
    const uint64_t t = g_token;
    if (t != 2 * i + me) g_out_of_order = true;
    __atomic_store_n(&g_token, t + 1, __ATOMIC_RELEASE);
    asm volatile("dsb ish; sev" ::: "memory");
  }
}

}  // namespace

extern "C" void guest_secondary_main(unsigned cpu) {
  if (cpu != 1) return;
  play(1);
  g_done1 = true;
  asm volatile("dsb ish; sev" ::: "memory");
}

extern "C" int guest_main(uint64_t dtb) {
  if (guest::dt_cpu_count(dtb) < 2) {
    guest::printf("handoff: needs 2 vCPUs (--smp 2)\n");
    return 2;
  }
  g_rounds = guest::bootarg_number(guest::bootargs(dtb), "rounds", 200);
  const uint64_t t0 = guest::counter();
  if (guest::start_cpu(1) != 0) {
    guest::printf("handoff: CPU_ON of vCPU 1 failed\n");
    return 3;
  }
  play(0);
  while (!g_done1) asm volatile("wfe" ::: "memory");
  const uint64_t ms = (guest::counter() - t0) * 1000 / guest::frequency();
  guest::printf("handoff: %llu rounds in %llu ms, %s\n", static_cast<unsigned long long>(g_rounds),
                static_cast<unsigned long long>(ms), g_out_of_order ? "out of order" : "in order");
  return g_out_of_order ? 1 : 0;
}
