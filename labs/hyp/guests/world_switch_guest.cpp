// The grading guest of hypervisor lab 1 (labs/hyp-01-world-switch): an EL1
// program the student did not write. It makes four HVC #1 calls with
// arguments derived from this run's nonce and checks that each returns
// x0 + 1 with x2-x14 unchanged, prints what it saw, then asks the
// hypervisor to power off (HVC #0, x0 = PSCI SYSTEM_OFF, x1 = exit code).
//
// The nonce: `nestlab lab grade` writes 16 hex digits over the zeros after
// "NESTLAB-NONCE:" in this image before it hands it to the VHV, so a
// hypervisor that prints the guest's lines itself does not know them.
// Linked at 0x4400_0000, where nestlab puts the first guest, so it runs
// without a stage 2.
#include <cstdint>

namespace {

constexpr uint64_t kUart = 0x0900'0000;
constexpr uint64_t kPsciSystemOff = 0x8400'0008;
constexpr int kCalls = 4;

void putc(char c) {
  while (*reinterpret_cast<volatile uint32_t*>(kUart + 0x18) & (1u << 5)) {
  }
  *reinterpret_cast<volatile uint32_t*>(kUart) = static_cast<uint8_t>(c);
}
void puts(const char* s) {
  for (; *s; ++s) putc(*s);
}
void put_hex(uint64_t v) {
  for (int shift = 60; shift >= 0; shift -= 4) putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

// One HVC #1 with x2-x14 holding values the hypervisor must give back.
struct HvcResult {
  uint64_t x0;
  bool kept;
};
HvcResult hvc_plus_one(uint64_t arg) {
  register uint64_t x0 asm("x0") = arg;
  register uint64_t x2 asm("x2") = arg ^ 2, x3 asm("x3") = arg ^ 3, x4 asm("x4") = arg ^ 4,
                       x5 asm("x5") = arg ^ 5, x6 asm("x6") = arg ^ 6, x7 asm("x7") = arg ^ 7,
                       x8 asm("x8") = arg ^ 8, x9 asm("x9") = arg ^ 9;
  register uint64_t x10 asm("x10") = arg ^ 10, x11 asm("x11") = arg ^ 11, x12 asm("x12") = arg ^ 12,
                        x13 asm("x13") = arg ^ 13, x14 asm("x14") = arg ^ 14;
  asm volatile("hvc #1"
               : "+r"(x0), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x7), "+r"(x8),
                 "+r"(x9), "+r"(x10), "+r"(x11), "+r"(x12), "+r"(x13), "+r"(x14)
               :
               : "x1", "x15", "x16", "x17", "memory");
  uint64_t diff = (x2 ^ arg ^ 2) | (x3 ^ arg ^ 3) | (x4 ^ arg ^ 4) | (x5 ^ arg ^ 5) |
                  (x6 ^ arg ^ 6) | (x7 ^ arg ^ 7) | (x8 ^ arg ^ 8) | (x9 ^ arg ^ 9) |
                  (x10 ^ arg ^ 10) | (x11 ^ arg ^ 11) | (x12 ^ arg ^ 12) | (x13 ^ arg ^ 13) |
                  (x14 ^ arg ^ 14);
  return {x0, diff == 0};
}

[[noreturn]] void power_off(uint64_t code) {
  register uint64_t x0 asm("x0") = kPsciSystemOff;
  register uint64_t x1 asm("x1") = code;
  asm volatile("hvc #0" : "+r"(x0), "+r"(x1) : : "memory");
  puts("guest: SYSTEM_OFF returned\n");
  for (;;) asm volatile("wfi");
}

}  // namespace

// Patched by the grader; volatile so the compiler reads what is there.
volatile char g_nonce[] = "NESTLAB-NONCE:0000000000000000";
constexpr int kNonceOffset = 14;

extern "C" [[noreturn]] void guest_main() {
  char nonce[17];
  uint64_t seed = 0;
  for (int i = 0; i < 16; ++i) {
    char c = g_nonce[kNonceOffset + i];
    nonce[i] = c;
    seed = (seed << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  nonce[16] = 0;
  uint64_t el;
  asm volatile("mrs %0, CurrentEL" : "=r"(el));
  puts("guest: hello from EL");
  putc(static_cast<char>('0' + ((el >> 2) & 3)));
  puts(", nonce ");
  puts(nonce);
  puts("\n");

  int good = 0;
  for (int i = 1; i <= kCalls; ++i) {
    uint64_t arg = (seed * (2 * i + 1)) ^ (uint64_t(i) << 56);
    HvcResult r = hvc_plus_one(arg);
    puts("guest: hvc ");
    putc(static_cast<char>('0' + i));
    puts(" of 4: x0 ");
    put_hex(arg);
    puts(" -> ");
    put_hex(r.x0);
    puts("\n");
    if (r.x0 == arg + 1 && r.kept) {
      ++good;
      puts("guest: hvc ");
      putc(static_cast<char>('0' + i));
      puts(" of 4: x0+1 ok, registers kept, nonce ");
      puts(nonce);
      puts("\n");
    } else {
      puts(r.kept ? "guest: wrong result\n" : "guest: x2-x14 changed across the HVC\n");
    }
  }
  if (good == kCalls) {
    puts("guest: 4 of 4 hypercalls returned x0+1, nonce ");
    puts(nonce);
    puts("\n");
  }
  power_off(good == kCalls ? 0 : 4);
}
