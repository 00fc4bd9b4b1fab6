// Lab 01, boot contract (reference solution): walk the flattened device tree
// that x0 points at, find the PL011 UART by its compatible string and read
// its address from `reg`, find the RAM size and the boot arguments, print the
// nonce and power off with exit code 7.
#include "lab.h"

namespace {

// The device tree is big-endian.
uint32_t be32(const void* p) {
  const auto* b = static_cast<const uint8_t*>(p);
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
}

// Structure block tokens (Devicetree Specification v0.4, 5.4.1).
constexpr uint32_t kBeginNode = 1, kEndNode = 2, kProp = 3, kNop = 4, kEnd = 9;

// A property value that is a list of NUL-separated strings: does it hold `s`?
bool stringlist_contains(const char* list, uint32_t len, const char* s) {
  for (uint32_t i = 0; i < len; i += lab::strlen(list + i) + 1)
    if (lab::streq(list + i, s)) return true;
  return false;
}

// `cells` 32-bit cells as one number (#address-cells / #size-cells of 1 or 2).
uint64_t read_cells(const uint8_t* p, uint32_t cells) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < cells; ++i) v = (v << 32) | be32(p + 4 * i);
  return v;
}

struct Findings {
  uint64_t uart = 0;
  uint64_t mem_base = 0, mem_size = 0;
  const char* bootargs = nullptr;
};

// One pass over the structure block. Children of the root use the root's
// #address-cells and #size-cells (the only nodes this lab looks at).
bool walk(const uint8_t* fdt, Findings& out) {
  if (be32(fdt) != 0xd00dfeed) return false;                                  // header: magic
  const uint8_t* p = fdt + be32(fdt + 8);                                     // off_dt_struct
  const uint8_t* end = p + be32(fdt + 36);                                    // size_dt_struct
  const char* strings = reinterpret_cast<const char*>(fdt + be32(fdt + 12));  // off_dt_strings

  uint32_t address_cells = 2, size_cells = 1;  // defaults (2.3.5) until the root says
  int depth = 0;
  const char* node = "";
  // What we learn about the current depth-1 node before its END_NODE.
  bool is_pl011 = false, is_memory = false, in_chosen = false;
  const uint8_t* reg = nullptr;

  while (p < end) {
    const uint32_t token = be32(p);
    p += 4;
    if (token == kBeginNode) {
      node = reinterpret_cast<const char*>(p);
      p += (lab::strlen(node) + 1 + 3) & ~3u;  // name, NUL, padding to 4
      ++depth;
      if (depth == 2) {
        is_pl011 = is_memory = false;
        reg = nullptr;
        in_chosen = lab::streq(node, "chosen");
      }
    } else if (token == kEndNode) {
      if (depth == 2 && reg) {
        if (is_pl011 && !out.uart) out.uart = read_cells(reg, address_cells);
        if (is_memory) {
          out.mem_base = read_cells(reg, address_cells);
          out.mem_size = read_cells(reg + 4 * address_cells, size_cells);
        }
      }
      --depth;
    } else if (token == kProp) {
      const uint32_t len = be32(p);
      const char* name = strings + be32(p + 4);
      const uint8_t* value = p + 8;
      p += 8 + ((len + 3) & ~3u);
      if (depth == 1 && lab::streq(name, "#address-cells")) address_cells = be32(value);
      if (depth == 1 && lab::streq(name, "#size-cells")) size_cells = be32(value);
      if (depth != 2) continue;
      if (lab::streq(name, "compatible") &&
          stringlist_contains(reinterpret_cast<const char*>(value), len, "arm,pl011"))
        is_pl011 = true;
      if (lab::streq(name, "device_type") &&
          lab::streq(reinterpret_cast<const char*>(value), "memory"))
        is_memory = true;
      if (lab::streq(name, "reg")) reg = value;
      if (in_chosen && lab::streq(name, "bootargs"))
        out.bootargs = reinterpret_cast<const char*>(value);
    } else if (token == kEnd) {
      break;
    } else if (token != kNop) {
      return false;  // not a token: a broken tree
    }
  }
  return true;
}

// Copies the value of "key=" in a space-separated command line.
bool arg_value(const char* args, const char* key, char* out, size_t size) {
  const size_t klen = lab::strlen(key);
  for (const char* p = args; *p; ++p) {
    if ((p != args && p[-1] != ' ') || !lab::starts_with(p, key) || p[klen] != '=') continue;
    size_t n = 0;
    for (p += klen + 1; *p && *p != ' ' && n + 1 < size; ++p) out[n++] = *p;
    out[n] = '\0';
    return true;
  }
  return false;
}

}  // namespace

extern "C" int lab_main(uint64_t dtb) {
  // Until we know where the UART is, print through the lowvisor (the
  // grader moves the UART away from QEMU virt's 0x09000000).
  lab::console_via_backdoor(true);
  // Plain QEMU hands an ELF x0 = 0 and leaves the tree at the base of RAM.
  const auto* fdt = reinterpret_cast<const uint8_t*>(dtb ? dtb : lab::kRamBase);
  Findings found;
  if (!walk(fdt, found)) {
    lab::puts("no device tree\n");
    return 1;
  }
  if (found.uart) {
    lab::set_uart(found.uart);  // print through the UART the tree described
    lab::console_via_backdoor(false);
    char name[32];
    lab::snprintf(name, sizeof(name), "uart@%llx", static_cast<unsigned long long>(found.uart));
    lab::printf("uart: pl011 at 0x%llx\n", static_cast<unsigned long long>(found.uart));
    lab::mark(name);
  }
  lab::printf("memory: %llu MiB at 0x%llx\n", static_cast<unsigned long long>(found.mem_size >> 20),
              static_cast<unsigned long long>(found.mem_base));
  char nonce[64];
  if (found.bootargs && arg_value(found.bootargs, "nonce", nonce, sizeof(nonce)))
    lab::printf("nonce: %s\n", nonce);
  else
    lab::puts("nonce: (none)\n");
  return 7;
}
