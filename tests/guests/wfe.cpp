// The WFE channel and watchdog (S14). Pings through WFE, checks that its own
// code still reads as WFE (the patch is hidden by an execute-only mapping),
// pings again, then arms the watchdog with the action from "action=N"
// (0 report, 1 stop, 2 reset) and "timeout_ms=N", pets it "pets=N" times and
// then stops petting while it keeps running (printing), so the deadline passes.
// Exit codes: 0 all went as expected (with action=0), 1.. a failed check.
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"

namespace {

using nestlab::wfe_channel::Op;
using ull = unsigned long long;

uint64_t counter() {
  uint64_t v;
  asm volatile("isb\n mrs %0, cntvct_el0" : "=r"(v));
  return v;
}
uint64_t frequency() {
  uint64_t v;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
  return v;
}
void sleep_ms(uint64_t ms) {
  const uint64_t end = counter() + frequency() / 1000 * ms;
  while (counter() < end) {
  }
}

// A function whose first instruction is a WFE, to read back its bytes.
extern "C" void wfe_site();
asm(".pushsection .text\n.balign 4\n.global wfe_site\nwfe_site:\n wfe\n ret\n.popsection");

}  // namespace

extern "C" int guest_main(uint64_t dtb) {
  const char* args = guest::bootargs(dtb);
  auto r = guest::wfe_call(Op::Ping, 41);
  guest::printf("ping: answered=%d status=%lld x0=%llu\n", r.answered, (long long)r.status,
                ull(r.x0));
  if (!r.answered || r.status != 0 || r.x0 != 42) return 1;

  wfe_site();  // executes the (patched) WFE: a plain WFE without the magic
  const uint32_t word =
      *reinterpret_cast<volatile uint32_t*>(reinterpret_cast<uintptr_t>(&wfe_site));
  guest::printf("code at wfe_site reads 0x%08x\n", word);
  if (word != 0xd503205f) return 2;

  r = guest::wfe_call(Op::Ping, 99);
  if (!r.answered || r.x0 != 100) {
    guest::printf("ping after reading the code: answered=%d x0=%llu\n", r.answered, ull(r.x0));
    while (guest::bootarg_number(args, "hold", 0)) {
    }
    return 3;
  }
  guest::printf("ping after reading the code: ok\n");

  const uint64_t action = guest::bootarg_number(args, "action", 0);
  const uint64_t timeout_ms = guest::bootarg_number(args, "timeout_ms", 100);
  const uint64_t pets = guest::bootarg_number(args, "pets", 5);
  r = guest::wfe_call(Op::Arm, timeout_ms * 1'000'000ull, action);
  if (r.status != 0) return 4;
  if (guest::wfe_call(Op::Arm, 5, 0).status == 0) return 5;  // 5 ns is below the minimum
  guest::printf("watchdog armed: %llu ms, action %llu\n", ull(timeout_ms), ull(action));
  for (uint64_t i = 0; i < pets; ++i) {
    sleep_ms(timeout_ms / 4);
    r = guest::wfe_call(Op::Pet);
    if (r.status != 0) return 6;
  }
  if (guest::bootarg_number(args, "spin", 0)) {
    // The case a watchdog exists for: a hang with interrupts masked and no
    // exit at all; only the lowvisor's own timer can notice it.
    guest::printf("petted %llu times; now spinning with interrupts masked\n", ull(pets));
    asm volatile("msr daifset, #0xf\n1: b 1b" ::: "memory");
  }
  guest::printf("petted %llu times; now stopping\n", ull(pets));
  // Keep running (and exiting now and then, by printing) past the deadline.
  for (int i = 0; i < 6; ++i) {
    sleep_ms(timeout_ms / 2);
    guest::printf("still running %d\n", i);
  }
  r = guest::wfe_call(Op::Status);
  guest::printf("watchdog status after the deadline: %llu ns left\n", ull(r.x0));
  return r.x0 == 0 ? 0 : 7;
}
