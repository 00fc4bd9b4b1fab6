// The EL2 test program of `nestlab run --hypervisor` (tests/integration/
// test_hypervisor.py). It runs unchanged at EL2 of plain
// `qemu-system-aarch64 -M virt,virtualization=on,gic-version=3`: prints a
// banner and CurrentEL, lists the guests the device tree at the start of RAM
// describes (/nestlab/guest@N, docs/hypervisor.md), installs an EL2 vector
// table, drops to an EL1 stub that makes HYP_HVC_COUNT calls of HVC #0x12 and
// one HVC #0x99, prints the exception class of each, then powers off with
// PSCI SYSTEM_OFF over SMC (QEMU's conduit with virtualization=on), x1 =
// HYP_EXIT_CODE.
#include <stdarg.h>

#include <cstddef>
#include <cstdint>

#include "vhv/common/format.h"

#ifndef HYP_HVC_COUNT
#define HYP_HVC_COUNT 3
#endif
#ifndef HYP_EXIT_CODE
#define HYP_EXIT_CODE 0
#endif

extern "C" char hyp_vectors[];
extern "C" char el1_stub[];
extern "C" char __el1_stack_top[];

namespace {

constexpr uint64_t kUart = 0x0900'0000;  // PL011 data register on -M virt
constexpr uint64_t kUartFlags = kUart + 0x18;
constexpr uint64_t kDtb = 0x4000'0000;  // where QEMU puts the tree for an ELF above it
constexpr uint64_t kPsciSystemOff = 0x8400'0008;

void putc(char c) {
  auto* flags = reinterpret_cast<volatile uint32_t*>(kUartFlags);
  while (*flags & (1u << 5)) {  // TXFF
  }
  *reinterpret_cast<volatile uint32_t*>(kUart) = static_cast<uint8_t>(c);
}

__attribute__((format(printf, 1, 2))) void print(const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  nestlab::vformat(buf, sizeof buf, fmt, args);
  va_end(args);
  for (const char* p = buf; *p; ++p) {
    if (*p == '\n') putc('\r');
    putc(*p);
  }
}

[[noreturn]] void system_off(uint64_t code) {
  register uint64_t x0 asm("x0") = kPsciSystemOff;
  register uint64_t x1 asm("x1") = code;
  asm volatile("smc #0" : "+r"(x0) : "r"(x1) : "memory");
  for (;;) asm volatile("wfi");
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
uint64_t be64(const uint8_t* p) { return (uint64_t(be32(p)) << 32) | be32(p + 4); }

bool starts_with(const char* s, const char* prefix) {
  while (*prefix)
    if (*s++ != *prefix++) return false;
  return true;
}
bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

struct Guest {
  uint64_t pa = 0, size = 0, entry = 0, load = 0;
  const char* name = "?";
};

// Walks the flattened tree (devicetree spec v0.4 chapter 5): the memory node
// and every /nestlab/guest@N, printed in tree order.
void walk_tree() {
  const auto* fdt = reinterpret_cast<const uint8_t*>(kDtb);
  if (be32(fdt) != 0xd00dfeed) {
    print("no device tree at 0x%llx\n", static_cast<unsigned long long>(kDtb));
    return;
  }
  print("device tree at 0x%llx\n", static_cast<unsigned long long>(kDtb));
  const uint32_t total = be32(fdt + 4);
  const uint8_t* structs = fdt + be32(fdt + 8);
  const char* strings = reinterpret_cast<const char*>(fdt + be32(fdt + 12));
  const uint8_t* end = fdt + total;
  int depth = 0;
  bool in_nestlab = false, in_memory = false, in_guest = false;
  int guests = 0;
  Guest g;
  for (const uint8_t* p = structs; p + 4 <= end;) {
    const uint32_t token = be32(p);
    p += 4;
    if (token == 1) {  // FDT_BEGIN_NODE
      const char* name = reinterpret_cast<const char*>(p);
      size_t len = 0;
      while (name[len]) ++len;
      p += (len + 4) & ~size_t{3};
      ++depth;
      if (depth == 2) {
        in_nestlab = equals(name, "nestlab");
        in_memory = starts_with(name, "memory@");
      }
      in_guest = depth == 3 && in_nestlab && starts_with(name, "guest@");
      if (in_guest) g = Guest{};
    } else if (token == 2) {  // FDT_END_NODE
      if (in_guest && depth == 3) {
        print("guest %d: %s at 0x%llx size 0x%llx load 0x%llx entry 0x%llx bytes", guests, g.name,
              static_cast<unsigned long long>(g.pa), static_cast<unsigned long long>(g.size),
              static_cast<unsigned long long>(g.load), static_cast<unsigned long long>(g.entry));
        const auto* bytes = reinterpret_cast<const volatile uint8_t*>(g.pa);
        for (int i = 0; i < 8; ++i) print(" %02x", bytes[i]);
        print("\n");
        ++guests;
        in_guest = false;
      }
      if (depth == 2) in_nestlab = in_memory = false;
      --depth;
    } else if (token == 3) {  // FDT_PROP
      const uint32_t len = be32(p);
      const char* prop = strings + be32(p + 4);
      const uint8_t* value = p + 8;
      p += 8 + ((len + 3) & ~3u);
      if (in_memory && depth == 2 && equals(prop, "reg") && len >= 16)
        print("memory: 0x%llx size 0x%llx\n", static_cast<unsigned long long>(be64(value)),
              static_cast<unsigned long long>(be64(value + 8)));
      if (!in_guest) continue;
      if (equals(prop, "reg") && len >= 16) {
        g.pa = be64(value);
        g.size = be64(value + 8);
      } else if (equals(prop, "entry") && len >= 8) {
        g.entry = be64(value);
      } else if (equals(prop, "load-address") && len >= 8) {
        g.load = be64(value);
      } else if (equals(prop, "image-name") && len >= 1) {
        g.name = reinterpret_cast<const char*>(value);
      }
    } else if (token == 4) {  // FDT_NOP
    } else {
      break;  // FDT_END or garbage
    }
  }
  print("nestlab guests: %d\n", guests);
}

int hvc_calls = 0;

}  // namespace

struct Frame {
  uint64_t x[31];
  uint64_t elr;
  uint64_t spsr;
  uint64_t pad;
};

extern "C" void hyp_exception(Frame* frame, uint64_t kind) {
  uint64_t esr;
  asm volatile("mrs %0, esr_el2" : "=r"(esr));
  const unsigned ec = static_cast<unsigned>(esr >> 26) & 0x3f;
  if (kind != 8 || ec != 0x16) {
    print("EL2: unexpected exception kind %llu class 0x%02x ESR 0x%llx ELR 0x%llx\n",
          static_cast<unsigned long long>(kind), ec, static_cast<unsigned long long>(esr),
          static_cast<unsigned long long>(frame->elr));
    system_off(3);
  }
  const unsigned imm = static_cast<unsigned>(esr & 0xffff);
  print("EL2: exception class 0x%02x (HVC64) imm 0x%x\n", ec, imm);
  ++hvc_calls;
  if (imm == 0x99) {
    print("EL1 made %d HVC calls\n", hvc_calls);
    print("powering off\n");
    system_off(HYP_EXIT_CODE);
  }
  // The preferred return address of an HVC is the next instruction.
}

extern "C" void hyp_main() {
  print("nestlab EL2 test program\n");
  uint64_t el;
  asm volatile("mrs %0, CurrentEL" : "=r"(el));
  print("CurrentEL: %llu\n", static_cast<unsigned long long>((el >> 2) & 3));
  walk_tree();
  asm volatile("msr vbar_el2, %0; isb" ::"r"(hyp_vectors));
  // EL1 is AArch64 (HCR_EL2.RW) and traps nothing; its MMU stays off.
  asm volatile("msr hcr_el2, %0" ::"r"(uint64_t{1} << 31));
  asm volatile("msr sctlr_el1, %0" ::"r"(uint64_t{0x30d00800}));
  asm volatile("msr sp_el1, %0" ::"r"(__el1_stack_top));
  asm volatile("msr elr_el2, %0" ::"r"(el1_stub));
  asm volatile("msr spsr_el2, %0" ::"r"(uint64_t{0x3c5}));  // EL1h, DAIF masked
  print("entering EL1 for %d HVC calls\n", HYP_HVC_COUNT);
  register uint64_t x0 asm("x0") = HYP_HVC_COUNT;
  asm volatile("isb; eret" ::"r"(x0));
  __builtin_unreachable();
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
