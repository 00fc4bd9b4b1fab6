// The few libc/ABI symbols the compiler may emit calls to in freestanding
// code: memory block functions and the pure-virtual trap.
#include <cstddef>
#include <cstdint>

#include "vhv/el2/runtime/panic.h"

extern "C" {

// Words whenever source and destination agree modulo 8 (bytes up to the
// first aligned word and after the last), four words per turn: under
// QEMU's TCG each loop turn costs a trip through a translated block, and
// loading a Linux Image (30 MB, an odd size) byte by byte took 0.38 s.
void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  if (((reinterpret_cast<uintptr_t>(d) ^ reinterpret_cast<uintptr_t>(s)) & 7) == 0) {
    while (n && (reinterpret_cast<uintptr_t>(d) & 7)) {
      *d++ = *s++;
      --n;
    }
    auto* dw = reinterpret_cast<uint64_t*>(d);
    const auto* sw = reinterpret_cast<const uint64_t*>(s);
    for (; n >= 32; n -= 32, dw += 4, sw += 4) {
      const uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
      dw[0] = a;
      dw[1] = b;
      dw[2] = c;
      dw[3] = e;
    }
    for (; n >= 8; n -= 8) *dw++ = *sw++;
    d = reinterpret_cast<uint8_t*>(dw);
    s = reinterpret_cast<const uint8_t*>(sw);
  }
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  if (d < s) {
    for (size_t i = 0; i < n; ++i) d[i] = s[i];
  } else {
    for (size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
  }
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto byte = static_cast<uint8_t>(c);
  while (n && (reinterpret_cast<uintptr_t>(d) & 7)) {
    *d++ = byte;
    --n;
  }
  const uint64_t word = 0x0101'0101'0101'0101ull * byte;
  auto* dw = reinterpret_cast<uint64_t*>(d);
  for (; n >= 32; n -= 32, dw += 4) {
    dw[0] = word;
    dw[1] = word;
    dw[2] = word;
    dw[3] = word;
  }
  for (; n >= 8; n -= 8) *dw++ = word;
  d = reinterpret_cast<uint8_t*>(dw);
  while (n--) *d++ = byte;
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const uint8_t*>(a);
  const auto* y = static_cast<const uint8_t*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

void __cxa_pure_virtual() { nestlab::panic("pure virtual function called"); }

}  // extern "C"
