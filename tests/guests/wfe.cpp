// The WFE channel and watchdog (S14). Pings through WFE, checks that its own
// code still reads as WFE (the patch is hidden by an execute-only mapping),
// pings again, then arms the watchdog with the action from "action=N"
// (0 report, 1 stop, 2 reset) and "timeout_ms=N", pets it "pets=N" times and
// then stops petting while it keeps running (printing), so the deadline passes.
// Exit codes: 0 all went as expected (with action=0), 1.. a failed check.
// A site on a page the guest writes from that page stays a site (exit 8).
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

// A WFE site on a page that the same code also writes (a variable beside
// it, stored from that page): the page holds the storing instruction, the
// site and the variable, as when a small guest's data shares a page with
// its code. It stays a site: `wfe_own_page_word` is on the same page.
extern "C" void wfe_own_page_ping();
extern "C" uint32_t wfe_own_page_word;
asm(".pushsection .data.wfe_own_page, \"awx\"\n.balign 4096\n"
    ".global wfe_own_page_ping\nwfe_own_page_ping:\n str w3, [x2]\n wfe\n ret\n"
    ".balign 4\n.global wfe_own_page_word\nwfe_own_page_word: .word 0\n.popsection");

guest::WfeReply own_page_ping(uint64_t a0, uint32_t stored) {
  register uint64_t x0 asm("x0") = a0;
  register uint64_t x1 asm("x1") = 0;
  register uint64_t x16 asm("x16") = static_cast<uint64_t>(Op::Ping);
  register uint64_t x17 asm("x17") = nestlab::wfe_channel::kRequestMagic;
  register uint64_t x2 asm("x2") = reinterpret_cast<uintptr_t>(&wfe_own_page_word);
  register uint64_t x3 asm("x3") = stored;
  asm volatile("bl wfe_own_page_ping"
               : "+r"(x0), "+r"(x1), "+r"(x16), "+r"(x17)
               : "r"(x2), "r"(x3)
               : "x30", "memory", "cc");
  return {x17 == nestlab::wfe_channel::kReplyMagic, static_cast<int64_t>(x16), x0};
}

// Pings through the site on a written page; 0 when every ping was answered
// and the guest reads back its own bytes (the stored word, the WFE).
int own_page_pings() {
  unsigned answered = 0;
  for (uint32_t i = 1; i <= 3; ++i) {
    const auto r = own_page_ping(1000 * i, 0xa5a5'0000u + i);
    answered += r.answered && r.x0 == 1000 * i + 1 ? 1 : 0;
  }
  const uint32_t code =
      *reinterpret_cast<volatile uint32_t*>(reinterpret_cast<uintptr_t>(&wfe_own_page_ping) + 4);
  const uint32_t word = *reinterpret_cast<volatile uint32_t*>(&wfe_own_page_word);
  guest::printf("site on a written page: %u of 3 pings answered, word 0x%08x, code 0x%08x\n",
                answered, word, code);
  return answered == 3 && word == 0xa5a5'0003u && code == 0xd503205f ? 0 : 8;
}

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
  if (const int failed = own_page_pings()) return failed;

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
