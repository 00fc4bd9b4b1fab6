#include "hyp.h"

namespace hyp {

namespace {
constexpr uint64_t kUart = 0x0900'0000;  // PL011 on QEMU -M virt
constexpr uint64_t kUartFlags = kUart + 0x18;
constexpr uint32_t kTxFull = 1u << 5;  // UARTFR.TXFF (PL011 TRM 3.3.3)
}  // namespace

void putc(char c) {
  auto* flags = reinterpret_cast<volatile uint32_t*>(kUartFlags);
  while (*flags & kTxFull) {
  }
  *reinterpret_cast<volatile uint32_t*>(kUart) = static_cast<uint8_t>(c);
}

void puts(const char* s) {
  for (; *s; ++s) {
    if (*s == '\n') putc('\r');
    putc(*s);
  }
}

void put_hex(uint64_t v) {
  for (int shift = 60; shift >= 0; shift -= 4) putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

void put_dec(uint64_t v) {
  char digits[21];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) putc(digits[--n]);
}

}  // namespace hyp
