// Round trip of every trap path of the lowvisor as a guest sees it (issue 4):
// HVC (PSCI_VERSION), the BRK backdoor (Echo), the DCC channel (Echo), the
// WFE channel (Ping), and a first-execution fault (S15: write a code page,
// then run it; two exits per round, the write's and the fetch's). One line
// per path: "trap-paths: path=NAME iterations=N ns_per_iter=X.Y".
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"

namespace {

using ull = unsigned long long;

uint64_t counter() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
  return v;
}

uint64_t g_freq = 1;

void report(const char* path, uint64_t iterations, uint64_t ticks) {
  const uint64_t tenths = ticks * 10'000'000'000ull / g_freq / iterations;
  guest::printf("trap-paths: path=%s iterations=%llu ns_per_iter=%llu.%llu\n", path,
                ull(iterations), ull(tenths / 10), ull(tenths % 10));
}

template <typename F>
void measure(const char* path, uint64_t iterations, F&& body) {
  body();  // warm up (first execution of the loop's pages)
  const uint64_t start = counter();
  for (uint64_t i = 0; i < iterations; ++i) body();
  report(path, iterations, counter() - start);
}

alignas(4096) uint32_t g_code[1024];

// The WFE site on a page of its own: a page that also holds data the guest
// writes loses its patch (docs/traps.md, limits), which would measure a
// plain WFE instead of the channel.
__attribute__((noinline, aligned(4096), section(".text.wfe_page"))) void wfe_ping() {
  (void)guest::wfe_call(nestlab::wfe_channel::Op::Ping, 1);
}

}  // namespace

extern "C" int guest_main(uint64_t dtb) {
  asm volatile("mrs %0, cntfrq_el0" : "=r"(g_freq));
  const uint64_t n = guest::bootarg_number(guest::bootargs(dtb), "iterations", 100000);
  measure("hvc", n, [] {
    register uint64_t x0 asm("x0") = guest::kPsciVersion;
    asm volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
  });
  measure("brk-backdoor", n, [] {
    (void)guest::backdoor_brk(static_cast<uint64_t>(nestlab::backdoor::Service::Echo), 1, 2, 3);
  });
  measure("dcc", n, [] {
    (void)guest::backdoor_dcc(static_cast<uint64_t>(nestlab::backdoor::Service::Echo), 1, 2, 3);
  });
  measure("wfe-channel", n, [] { wfe_ping(); });
  using Fn = uint32_t (*)();
  measure("first-exec", n / 4, [] {
    volatile uint32_t* code = g_code;
    code[0] = 0x5280'0540u;  // MOVZ W0, #42
    code[1] = 0xd65f'03c0u;  // RET
    asm volatile("dsb ish\n isb" ::: "memory");
    (void)reinterpret_cast<Fn>(g_code)();
  });
  return 0;
}
