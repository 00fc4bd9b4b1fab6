// Lab runtime (labs/common): the code behind lab.h. Console, strings, the
// /chosen/bootargs lookup, PSCI, the backdoor and DCC calls, markers, the
// default exception handler and the GICv3 set-up.
#include "lab.h"

#include "siphash.h"

extern "C" uint64_t lab_dtb_address;  // set by start.S
uint64_t lab_dtb_address;

namespace lab {
namespace {

uint64_t g_uart = kDefaultUart;
bool g_console_backdoor = false;

// PL011 registers (Arm DDI 0183): data, flags; FR.TXFF = transmit FIFO full.
constexpr uint64_t kUartDr = 0x000, kUartFr = 0x018;
constexpr uint32_t kUartFrTxff = 1u << 5;

// ---- formatting ----
struct Out {
  char* buf;
  size_t size;
  size_t pos;
  void put(char c) {
    if (pos + 1 < size) buf[pos] = c;
    ++pos;
  }
};

void emit(Out& out, const char* text, size_t n, int width, bool left, char pad, bool minus) {
  int fill = width - static_cast<int>(n) - (minus ? 1 : 0);
  if (!left && pad == ' ')
    for (; fill > 0; --fill) out.put(' ');
  if (minus) out.put('-');
  if (!left)
    for (; fill > 0; --fill) out.put(pad);
  for (size_t i = 0; i < n; ++i) out.put(text[i]);
  for (; fill > 0; --fill) out.put(' ');
}

void emit_number(Out& out, uint64_t v, unsigned base, bool upper, int width, bool left, char pad,
                 bool minus) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char tmp[24];
  size_t n = 0;
  do {
    tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
    v /= base;
  } while (v != 0);
  emit(out, tmp + sizeof(tmp) - n, n, width, left, pad, minus);
}

// ---- device tree (Devicetree Specification v0.4, chapter 5) ----
uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

}  // namespace

// ---- Console ----------------------------------------------------------------

void set_uart(uint64_t pl011_base) { g_uart = pl011_base; }
uint64_t uart() { return g_uart; }
void console_via_backdoor(bool on) { g_console_backdoor = on; }

// Outside a VHV there is no backdoor: the UART it is, then.
void putc(char c) {
  if (g_console_backdoor && in_vhv()) {
    backdoor(service::kPrint, reinterpret_cast<uint64_t>(&c), 1);
    return;
  }
  while (mmio_read32(g_uart + kUartFr) & kUartFrTxff) {
  }
  mmio_write32(g_uart + kUartDr, static_cast<uint8_t>(c));
}

void puts(const char* s) {
  if (g_console_backdoor && in_vhv()) {
    for (size_t left = strlen(s); left > 0;) {  // at most 4096 bytes per call
      const size_t n = left < 4096 ? left : 4096;
      backdoor(service::kPrint, reinterpret_cast<uint64_t>(s), n);
      s += n;
      left -= n;
    }
    return;
  }
  while (*s) putc(*s++);
}

void printf(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(buf, sizeof(buf), fmt, args);
  va_end(args);
  puts(buf);
}

size_t snprintf(char* buf, size_t size, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  const size_t n = vsnprintf(buf, size, fmt, args);
  va_end(args);
  return n;
}

size_t vsnprintf(char* buf, size_t size, const char* fmt, va_list args) {
  Out out{buf, size, 0};
  for (const char* p = fmt; *p; ++p) {
    if (*p != '%') {
      out.put(*p);
      continue;
    }
    ++p;
    bool left = false;
    char pad = ' ';
    for (; *p == '-' || *p == '0'; ++p) {
      if (*p == '-') left = true;
      if (*p == '0') pad = '0';
    }
    int width = 0;
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    bool wide = false;  // l, ll, z: 64 bits
    while (*p == 'l' || *p == 'z') wide = true, ++p;
    switch (*p) {
      case 'c': {
        const char c = static_cast<char>(va_arg(args, int));
        emit(out, &c, 1, width, left, ' ', false);
        break;
      }
      case 's': {
        const char* s = va_arg(args, const char*);
        if (!s) s = "(null)";
        emit(out, s, strlen(s), width, left, ' ', false);
        break;
      }
      case 'd':
      case 'i': {
        const int64_t v = wide ? va_arg(args, long long) : va_arg(args, int);
        emit_number(out, v < 0 ? 0 - uint64_t(v) : uint64_t(v), 10, false, width, left, pad, v < 0);
        break;
      }
      case 'u':
      case 'x':
      case 'X': {
        const uint64_t v = wide ? va_arg(args, unsigned long long) : va_arg(args, unsigned);
        emit_number(out, v, *p == 'u' ? 10 : 16, *p == 'X', width, left, pad, false);
        break;
      }
      case 'p':
        out.put('0');
        out.put('x');
        emit_number(out, reinterpret_cast<uint64_t>(va_arg(args, void*)), 16, false, width, left,
                    pad, false);
        break;
      case '\0': --p; break;
      default: out.put('%'), out.put(*p); break;
    }
  }
  if (size) buf[out.pos < size ? out.pos : size - 1] = '\0';
  return out.pos;
}

// ---- Strings ------------------------------------------------------------------

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

bool streq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

bool starts_with(const char* s, const char* prefix) {
  while (*prefix)
    if (*s++ != *prefix++) return false;
  return true;
}

// ---- Device tree ----------------------------------------------------------------

uint64_t dtb() { return lab_dtb_address ? lab_dtb_address : kRamBase; }

const char* bootargs() {
  // Header: magic, totalsize, off_dt_struct (8), off_dt_strings (12), ...,
  // size_dt_struct (36). Then tokens: BEGIN_NODE 1 (name, padded to 4),
  // END_NODE 2, PROP 3 (len, nameoff, value padded to 4), NOP 4, END 9.
  const auto* b = reinterpret_cast<const uint8_t*>(dtb());
  if (be32(b) != 0xd00dfeed) return "";
  const uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12), size = be32(b + 36);
  int depth = 0;
  bool in_chosen = false;
  for (uint32_t pos = off_struct; pos < off_struct + size;) {
    const uint32_t token = be32(b + pos);
    pos += 4;
    if (token == 1) {
      const char* name = reinterpret_cast<const char*>(b + pos);
      ++depth;
      in_chosen = depth == 2 && streq(name, "chosen");
      pos = (pos + strlen(name) + 1 + 3) & ~3u;
    } else if (token == 2) {
      --depth;
      in_chosen = false;
    } else if (token == 3) {
      const uint32_t len = be32(b + pos), nameoff = be32(b + pos + 4);
      pos += 8;
      if (in_chosen && streq(reinterpret_cast<const char*>(b + off_strings + nameoff), "bootargs"))
        return len ? reinterpret_cast<const char*>(b + pos) : "";
      pos = (pos + len + 3) & ~3u;
    } else if (token != 4) {
      break;
    }
  }
  return "";
}

bool bootarg(const char* key, char* out, size_t size) {
  const size_t klen = strlen(key);
  const char* args = bootargs();
  for (const char* p = args; *p; ++p) {
    if (p != args && p[-1] != ' ') continue;
    if (!starts_with(p, key) || p[klen] != '=') continue;
    size_t n = 0;
    for (const char* v = p + klen + 1; *v && *v != ' ' && n + 1 < size; ++v) out[n++] = *v;
    if (size) out[n] = '\0';
    return true;
  }
  return false;
}

// ---- PSCI ---------------------------------------------------------------------

uint64_t psci_call(uint64_t function, uint64_t a1, uint64_t a2, uint64_t a3) {
  register uint64_t x0 asm("x0") = function;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x2 asm("x2") = a2;
  register uint64_t x3 asm("x3") = a3;
  asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
  return x0;
}

uint32_t psci_version() { return static_cast<uint32_t>(psci_call(kPsciVersion)); }

int32_t psci_features(uint32_t function) {
  return static_cast<int32_t>(psci_call(kPsciFeatures, function));
}

void system_off(uint8_t exit_code) {
  psci_call(kPsciSystemOff, exit_code);
  for (;;) asm volatile("wfi");
}

// ---- Backdoor -------------------------------------------------------------------

Reply backdoor(uint64_t service, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
  if (!in_vhv()) return {kErrUnknownService, 0, 0, 0};
  register uint64_t x0 asm("x0") = service;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x2 asm("x2") = a2;
  register uint64_t x3 asm("x3") = a3;
  register uint64_t x4 asm("x4") = a4;
  register uint64_t x5 asm("x5") = a5;
  asm volatile("brk #0x5658"
               : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
               : "r"(x4), "r"(x5)
               : "memory");
  return {static_cast<int64_t>(x0), x1, x2, x3};
}

Reply dcc(uint64_t service, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
  register uint64_t x0 asm("x0") = service;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x2 asm("x2") = a2;
  register uint64_t x3 asm("x3") = a3;
  register uint64_t x4 asm("x4") = a4;
  register uint64_t x5 asm("x5") = a5;
  register uint64_t x9 asm("x9") = 0x4e4c'4443;  // "NLDC"
  asm volatile("mrs x9, mdccsr_el0"
               : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x9)
               : "r"(x4), "r"(x5)
               : "memory");
  // The lowvisor puts the status in both x0 and the MRS destination; a real
  // (idle) DCC just reads as 0 and leaves x0 alone.
  if (static_cast<int64_t>(x9) != static_cast<int64_t>(x0)) return {kErrUnknownService, 0, 0, 0};
  return {static_cast<int64_t>(x0), x1, x2, x3};
}

bool in_vhv() {
  static int known = -1;
  if (known < 0) {
    // Version with a1 = a marker a real DCC would leave in x1.
    const Reply r = dcc(service::kVersion, 0xdead);
    known = r.status == 0 && r.r1 == 1;
  }
  return known == 1;
}

int64_t guestinfo_get(const char* key, char* buf, size_t size) {
  return backdoor(service::kGuestInfoGet, reinterpret_cast<uint64_t>(key),
                  reinterpret_cast<uint64_t>(buf), size)
      .status;
}

int64_t guestinfo_set(const char* key, const char* value) {
  return backdoor(service::kGuestInfoSet, reinterpret_cast<uint64_t>(key),
                  reinterpret_cast<uint64_t>(value))
      .status;
}

// ---- Markers --------------------------------------------------------------------

void mark(const char* name) {
  char secret[40] = {};
  nestlab::lab::SipKey key;
  if (guestinfo_get("lab.secret", secret, sizeof(secret)) != 0 ||
      !nestlab::lab::sip_key_from_hex(secret, key)) {
    printf("@@mark %s nosecret\n", name);
    return;
  }
  const uint64_t mac =
      nestlab::lab::siphash24(key, reinterpret_cast<const uint8_t*>(name), strlen(name));
  printf("@@mark %s %016llx\n", name, static_cast<unsigned long long>(mac));
}

// ---- Exceptions -----------------------------------------------------------------

void install_vectors() {
  asm volatile("msr vbar_el1, %0; isb" ::"r"(reinterpret_cast<uint64_t>(lab_vectors)));
}

// ---- Timer and GICv3 --------------------------------------------------------------

uint64_t counter() {
  uint64_t v;
  asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
  return v;
}

uint64_t frequency() {
  uint64_t v;
  asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
  return v;
}

namespace {
constexpr uint64_t kGicd = 0x0800'0000, kGicr = 0x080A'0000, kGicrSgi = kGicr + 0x10000;
}

void gic_init() {
  mmio_write32(kGicd + 0x0, (1u << 4) | (1u << 1));  // GICD_CTLR: ARE_NS, EnableGrp1NS
  while (mmio_read32(kGicd + 0x0) & (1u << 31)) {    // RWP: wait for the write
  }
  mmio_write32(kGicr + 0x14, mmio_read32(kGicr + 0x14) & ~2u);  // GICR_WAKER.ProcessorSleep
  while (mmio_read32(kGicr + 0x14) & 4u) {                      // ChildrenAsleep
  }
  uint64_t sre;
  asm volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));  // ICC_SRE_EL1
  asm volatile("msr S3_0_C12_C12_5, %0; isb" ::"r"(sre | 1));
  asm volatile("msr S3_0_C4_C6_0, %0" ::"r"(uint64_t(0xff)));      // ICC_PMR_EL1
  asm volatile("msr S3_0_C12_C12_7, %0; isb" ::"r"(uint64_t(1)));  // ICC_IGRPEN1_EL1
}

void gic_enable_ppi(uint32_t intid, uint8_t priority) {
  mmio_write32(kGicrSgi + 0x80, mmio_read32(kGicrSgi + 0x80) | (1u << intid));  // IGROUPR0
  mmio_write8(kGicrSgi + 0x400 + intid, priority);                              // IPRIORITYR
  mmio_write32(kGicrSgi + 0x100, 1u << intid);                                  // ISENABLER0
}

uint32_t gic_ack() {
  uint64_t v;
  asm volatile("mrs %0, S3_0_C12_C12_0; dsb sy" : "=r"(v));  // ICC_IAR1_EL1
  return static_cast<uint32_t>(v & 0xffffff);
}

void gic_eoi(uint32_t intid) {
  asm volatile("msr S3_0_C12_C12_1, %0; isb" ::"r"(uint64_t(intid)));  // ICC_EOIR1_EL1
}

}  // namespace lab

extern "C" void lab_exit(int code) { lab::system_off(static_cast<uint8_t>(code)); }

// The default handler: say what happened and stop (define your own to
// replace it).
extern "C" __attribute__((weak)) void lab_exception(lab::Frame* frame, unsigned kind) {
  lab::printf(
      "lab: unhandled exception (vector %u): ESR_EL1 0x%llx (class 0x%x) at 0x%llx, "
      "FAR 0x%llx\n",
      kind, static_cast<unsigned long long>(frame->esr), lab::esr_class(frame->esr),
      static_cast<unsigned long long>(frame->elr), static_cast<unsigned long long>(frame->far));
  lab::system_off(lab::kExitCrash);
}

// What the compiler may call for struct copies and zeroing.
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
