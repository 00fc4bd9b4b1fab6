#include "tests/guests/lib/guest.h"

#include "vhv/common/format.h"

extern "C" char guest_vectors[];

namespace guest {
namespace {

constexpr uint64_t kDr = 0x000, kFr = 0x018;
constexpr uint32_t kTxff = 1u << 5;

}  // namespace

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

size_t length(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

void expect_irq(const ExceptionFrame* f, uint64_t kind) {
  if (kind == 5) return;
  printf("unexpected exception kind %llu esr 0x%llx at 0x%llx\n",
         static_cast<unsigned long long>(kind), static_cast<unsigned long long>(read_esr_el1()),
         static_cast<unsigned long long>(f->elr));
  psci_system_off(3);
}

void putc(char c) {
  while (*reinterpret_cast<volatile uint32_t*>(kUart + kFr) & kTxff) {
  }
  *reinterpret_cast<volatile uint32_t*>(kUart + kDr) = static_cast<uint8_t>(c);
}

void puts(const char* s) {
  while (*s) putc(*s++);
}

void printf(const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  nestlab::vformat(buf, sizeof(buf), fmt, args);
  va_end(args);
  puts(buf);
}

const char* bootargs(uint64_t dtb) {
  // Devicetree Specification 5.2/5.4: header, then a token stream.
  // Plain QEMU passes x0 only to Linux-style images; for an ELF it leaves
  // the tree at the RAM base when the image does not start there.
  if (dtb == 0) dtb = kRamBase;
  const auto* b = reinterpret_cast<const uint8_t*>(dtb);
  if ((dtb & 3) || be32(b) != 0xd00dfeed) return "";
  const uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12), size_struct = be32(b + 36);
  uint32_t pos = off_struct;
  int depth = 0;
  bool in_chosen = false;
  while (pos < off_struct + size_struct) {
    const uint32_t token = be32(b + pos);
    pos += 4;
    if (token == 1) {
      const char* name = reinterpret_cast<const char*>(b + pos);
      uint32_t n = 0;
      while (name[n]) ++n;
      ++depth;
      if (depth == 2 && equals(name, "chosen")) in_chosen = true;
      pos = (pos + n + 1 + 3) & ~3u;
    } else if (token == 2) {
      if (depth == 2) in_chosen = false;
      --depth;
    } else if (token == 3) {
      const uint32_t len = be32(b + pos), nameoff = be32(b + pos + 4);
      pos += 8;
      if (in_chosen && depth == 2 &&
          equals(reinterpret_cast<const char*>(b + off_strings + nameoff), "bootargs"))
        return len ? reinterpret_cast<const char*>(b + pos) : "";
      pos = (pos + len + 3) & ~3u;
    } else if (token != 4) {
      break;
    }
  }
  return "";
}

uint64_t bootarg_number(const char* args, const char* key, uint64_t fallback) {
  for (const char* p = args; *p; ++p) {
    if (p != args && p[-1] != ' ') continue;
    const char* k = key;
    const char* q = p;
    while (*k && *q == *k) ++k, ++q;
    if (*k || *q != '=') continue;
    ++q;
    if (*q < '0' || *q > '9') return fallback;
    uint64_t v = 0;
    while (*q >= '0' && *q <= '9') v = v * 10 + uint64_t(*q++ - '0');
    return v;
  }
  return fallback;
}

uint64_t psci_call(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3) {
  register uint64_t x0 asm("x0") = function;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x2 asm("x2") = a2;
  register uint64_t x3 asm("x3") = a3;
  asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
  return x0;
}

void install_vectors() {
  asm volatile("msr vbar_el1, %0; isb" ::"r"(reinterpret_cast<uint64_t>(guest_vectors)));
}

}  // namespace guest

extern "C" void psci_system_off(uint64_t code) {
  guest::psci_call(guest::kPsciSystemOff, code);
  for (;;) asm volatile("wfi");
}

// Freestanding support the compiler may call.
extern "C" void* memset(void* d, int c, size_t n) {
  auto* p = static_cast<uint8_t*>(d);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(c);
  return d;
}
extern "C" void* memcpy(void* d, const void* s, size_t n) {
  auto* p = static_cast<uint8_t*>(d);
  const auto* q = static_cast<const uint8_t*>(s);
  for (size_t i = 0; i < n; ++i) p[i] = q[i];
  return d;
}

// Guests that install vectors define their own; this one reports and stops.
extern "C" __attribute__((weak)) void guest_exception(guest::ExceptionFrame* frame, uint64_t kind) {
  guest::printf("unexpected exception kind %llu at 0x%llx, ESR_EL1 0x%llx\n",
                static_cast<unsigned long long>(kind), static_cast<unsigned long long>(frame->elr),
                static_cast<unsigned long long>(guest::read_esr_el1()));
  psci_system_off(3);
}
