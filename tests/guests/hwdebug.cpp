// The guest's own self-hosted debug under a lowvisor: a hardware breakpoint,
// a watchpoint and software step (including the step over an instruction
// the lowvisor emulates, a trapped MDCCSR_EL0 read) all reach this guest's
// own vector with the syndrome plain QEMU gives; a handler that returns with
// PSTATE.D set is not hit again; the BRK backdoor works before and after,
// the DCC backdoor while debugging, and its own BRKs reach its handler in
// both modes. The exit code is the number of failed checks.
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"

namespace {

using nestlab::backdoor::Service;
using ull = unsigned long long;

constexpr uint64_t kMdscrSs = 1u << 0, kMdscrKde = 1u << 13, kMdscrMde = 1u << 15;
constexpr uint64_t kSpsrD = 1u << 9, kSpsrSs = 1u << 21;
// DBGBCR/DBGWCR: E, PMC/PAC = EL1 only, BAS = all bytes; WCR LSC = store.
constexpr uint64_t kBcr = (0xfu << 5) | (1u << 1) | 1u;
constexpr uint64_t kWcr = (0xffu << 5) | (2u << 3) | (1u << 1) | 1u;

int g_failures = 0;
volatile unsigned g_bp_hits, g_wp_hits, g_steps, g_own_brks;
volatile uint64_t g_bp_pc, g_wp_far, g_step_pc[8];
// A page of its own, never executed: the store reaches memory natively.
volatile uint64_t g_watched __attribute__((aligned(4096)));

void check(bool ok, const char* what) {
  guest::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++g_failures;
}

void set_mdscr(uint64_t v) { asm volatile("msr mdscr_el1, %0; isb" ::"r"(v)); }
uint64_t mdscr() {
  uint64_t v;
  asm volatile("mrs %0, mdscr_el1" : "=r"(v));
  return v;
}

__attribute__((noinline)) int breakpointed(int x) {
  asm volatile("" ::: "memory");
  return x * 3 + 1;
}

// A store into the page of the storing instruction, which the lowvisor
// carries out itself (the page is executable at stage 2, docs/traps.md).
extern "C" void store_own_page(uint64_t value);
extern "C" volatile uint64_t own_page_word;
asm(".pushsection .text.own_page, \"ax\"\n.balign 4096\n.global store_own_page\n"
    "store_own_page:\n adr x1, own_page_word\n str x0, [x1]\n ret\n"
    ".balign 8\n.global own_page_word\nown_page_word: .quad 0\n.popsection");

// One watchpoint on `address`, a store with debug unmasked, the
// watchpoint off again; true if it was taken exactly once with FAR_EL1 =
// `address` and the store then done.
template <typename Store>
bool watch_one_store(uint64_t address, Store store) {
  g_wp_hits = 0;
  g_wp_far = 0;
  asm volatile("msr dbgwvr0_el1, %0; msr dbgwcr0_el1, %1; isb" ::"r"(address), "r"(kWcr));
  asm volatile("msr daifclr, #8");
  store();
  asm volatile("msr daifclr, #8");
  asm volatile("msr dbgwcr0_el1, xzr; isb");
  if (g_wp_hits != 1 || g_wp_far != address)
    guest::printf("watchpoint at 0x%llx: %u hit(s), FAR_EL1 0x%llx\n", ull(address),
                  unsigned(g_wp_hits), ull(g_wp_far));
  return g_wp_hits == 1 && g_wp_far == address;
}

bool backdoor_echo_works() {
  auto e = guest::backdoor_brk(static_cast<uint64_t>(Service::Echo), 7, 8, 9);
  return e.status == 0 && e.r1 == 7 && e.r2 == 8 && e.r3 == 9;
}

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* frame, uint64_t kind) {
  const uint64_t esr = guest::read_esr_el1();
  const uint64_t ec = (esr >> 26) & 0x3f;
  if (kind == 4 && ec == 0x31) {  // breakpoint, current EL
    g_bp_hits = g_bp_hits + 1;
    g_bp_pc = frame->elr;
    frame->spsr |= kSpsrD;  // return to the breakpoint with debug masked
    return;
  }
  if (kind == 4 && ec == 0x35) {  // watchpoint, current EL
    g_wp_hits = g_wp_hits + 1;
    g_wp_far = guest::read_far_el1();
    frame->spsr |= kSpsrD;
    return;
  }
  if (kind == 4 && ec == 0x33) {  // software step, current EL
    if (g_steps < 8) g_step_pc[g_steps] = frame->elr;
    g_steps = g_steps + 1;
    frame->spsr |= kSpsrSs;  // step the next instruction too
    return;
  }
  if (kind == 4 && ec == 0x3c) {
    g_own_brks = g_own_brks + 1;
    frame->elr += 4;
    return;
  }
  guest::printf("hwdebug: unexpected exception kind %llu ESR_EL1 0x%llx at 0x%llx\n", ull(kind),
                ull(esr), ull(frame->elr));
  psci_system_off(99);
}

extern "C" int guest_main(uint64_t) {
  guest::install_vectors();
  check(backdoor_echo_works(), "BRK backdoor before debugging");

  // Hardware breakpoint 0 on breakpointed(), EL1, debug unmasked.
  asm volatile("msr oslar_el1, xzr; isb");
  const uint64_t target = reinterpret_cast<uint64_t>(&breakpointed);
  asm volatile("msr dbgbvr0_el1, %0; msr dbgbcr0_el1, %1; isb" ::"r"(target), "r"(kBcr));
  set_mdscr(kMdscrKde | kMdscrMde);
  const uint64_t readback = mdscr();
  check(readback == (kMdscrKde | kMdscrMde), "MDSCR_EL1 reads back what was written");
  if (readback != (kMdscrKde | kMdscrMde)) guest::printf("MDSCR_EL1 = 0x%llx\n", ull(readback));
  asm volatile("msr daifclr, #8");
  const int r = breakpointed(4);
  asm volatile("msr daifclr, #8");
  check(r == 13 && g_bp_hits == 1 && g_bp_pc == target,
        "hardware breakpoint taken once at the function (EC 0x31)");
  auto d = guest::backdoor_dcc(static_cast<uint64_t>(Service::Echo), 1, 2, 3);
  check(d.status == 0 && d.r1 == 1 && d.r3 == 3, "DCC backdoor while debugging");
  asm volatile("brk #0x1234" ::: "memory");
  check(g_own_brks == 1, "own BRK while debugging reaches the guest's handler");
  // WFE sites the lowvisor patched (S14) stay invisible while debugging: a
  // plain WFE completes, and the WFE channel answers.
  asm volatile("sevl; wfe" ::: "memory");
  check(g_own_brks == 1, "plain WFE while debugging");
  const auto ping = guest::wfe_call(nestlab::wfe_channel::Op::Ping, 41);
  check(ping.answered && ping.status == 0 && ping.x0 == 42, "WFE channel while debugging");
  asm volatile("msr dbgbcr0_el1, xzr; isb");

  // Watchpoint 0 on stores: to ordinary RAM, to the page of the storing
  // instruction and to the PL011's data register (both carried out by the
  // lowvisor), each taken once with FAR_EL1 = the address (EC 0x35).
  const uint64_t watched = reinterpret_cast<uint64_t>(&g_watched);
  bool stored = watch_one_store(watched, [] { g_watched = 42; });
  check(stored && g_watched == 42, "watchpoint on a store to RAM");
  store_own_page(0);  // first execution of its page, before the watchpoint
  stored = watch_one_store(reinterpret_cast<uint64_t>(&own_page_word), [] { store_own_page(43); });
  check(stored && own_page_word == 43, "watchpoint on a store the lowvisor carries out");
  stored = watch_one_store(0x0900'0000, [] {
    *reinterpret_cast<volatile uint32_t*>(0x0900'0000) = '\n';  // PL011 UARTDR
  });
  check(stored, "watchpoint on a store to a device register");

  // Software step: enabled with debug masked; unmasking it makes the step
  // pending (PSTATE.SS is 0), so the first step exception comes before
  // ss_start, then one per instruction, the trapped MDCCSR_EL0 read included.
  asm volatile("msr daifset, #8");
  set_mdscr(kMdscrKde | kMdscrSs);
  extern const char ss_start[];
  asm volatile(
      "msr daifclr, #8\n"
      ".globl ss_start\n"
      "ss_start:\n"
      "mov x9, xzr\n"
      "mrs x9, mdccsr_el0\n"
      "add x9, x9, #1\n"
      "msr daifset, #8\n" ::
          : "x9", "memory");
  const uint64_t s = reinterpret_cast<uint64_t>(ss_start);
  // QEMU also takes a step exception after the MSR DAIFSet that masks debug.
  check((g_steps == 4 || g_steps == 5) && g_step_pc[0] == s && g_step_pc[1] == s + 4 &&
            g_step_pc[2] == s + 8 && g_step_pc[3] == s + 12,
        "software step: one step exception per instruction (EC 0x33)");
  guest::printf("steps %u: 0x%llx 0x%llx 0x%llx 0x%llx (start 0x%llx)\n", unsigned(g_steps),
                ull(g_step_pc[0]), ull(g_step_pc[1]), ull(g_step_pc[2]), ull(g_step_pc[3]), ull(s));

  set_mdscr(0);
  check(backdoor_echo_works(), "BRK backdoor after debugging");
  asm volatile("brk #0x1234" ::: "memory");
  check(g_own_brks == 2, "own BRK after debugging reaches the guest's handler");
  guest::printf("hwdebug: %d failure(s)\n", g_failures);
  return g_failures;
}
