// A tiny JIT (S15): writes a function into a data page, runs it, rewrites it
// and runs it again, many times, without any cache maintenance of its own.
// Under a VHV every first execution after a write faults to the lowvisor,
// which cleans/invalidates the caches for the page and makes it executable;
// each rewrite takes execute permission away again.
// The exit code is the number of wrong results.
#include "tests/guests/lib/guest.h"

namespace {

alignas(4096) uint32_t g_code[1024];

// MOVZ W0, #imm16 ; RET
constexpr uint32_t movz_w0(uint32_t imm) { return 0x5280'0000u | ((imm & 0xffff) << 5); }
constexpr uint32_t kRet = 0xd65f'03c0u;

}  // namespace

extern "C" int guest_main(uint64_t dtb) {
  const uint64_t rounds = guest::bootarg_number(guest::bootargs(dtb), "rounds", 100);
  int wrong = 0;
  using Fn = uint32_t (*)();
  for (uint64_t i = 0; i < rounds; ++i) {
    const uint32_t want = static_cast<uint32_t>(1000 + i);
    volatile uint32_t* code = g_code;
    code[0] = movz_w0(want);
    code[1] = kRet;
    asm volatile("dsb ish\n isb" ::: "memory");
    const uint32_t got = reinterpret_cast<Fn>(g_code)();
    if (got != want) {
      if (wrong < 5)
        guest::printf("round %llu: got %u, want %u\n", (unsigned long long)i, got, want);
      ++wrong;
    }
  }
  guest::printf("jit: %llu rounds, %d wrong\n", (unsigned long long)rounds, wrong);
  return wrong;
}
