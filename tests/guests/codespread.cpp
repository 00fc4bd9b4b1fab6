// Code in many 2 MiB blocks of RAM: writes a small function at the start of
// `blocks=N` blocks from 64 MiB into RAM on and calls each. Every first fetch
// from a block costs the lowvisor one level-3 table (execute permission is
// given page by page), so enough blocks use up the VM's pool: the VM must
// then stop with a message naming the limit, never run on with a block that
// is writable and executable at once. Exit code: wrong results.
#include "tests/guests/lib/guest.h"

namespace {

constexpr uint64_t kFirst = 0x4000'0000ull + (64ull << 20);
constexpr uint64_t kBlock = 2ull << 20;

// MOVZ W0, #imm16 ; RET
constexpr uint32_t movz_w0(uint32_t imm) { return 0x5280'0000u | ((imm & 0xffff) << 5); }
constexpr uint32_t kRet = 0xd65f'03c0u;

}  // namespace

extern "C" int guest_main(uint64_t dtb) {
  const uint64_t blocks = guest::bootarg_number(guest::bootargs(dtb), "blocks", 16);
  int wrong = 0;
  using Fn = uint32_t (*)();
  for (uint64_t i = 0; i < blocks; ++i) {
    auto* code = reinterpret_cast<volatile uint32_t*>(kFirst + i * kBlock);
    code[0] = movz_w0(static_cast<uint32_t>(i));
    code[1] = kRet;
    asm volatile("dsb ish\n isb" ::: "memory");
    if (reinterpret_cast<Fn>(kFirst + i * kBlock)() != i) ++wrong;
  }
  guest::printf("codespread: %llu blocks, %d wrong\n", (unsigned long long)blocks, wrong);
  return wrong;
}
