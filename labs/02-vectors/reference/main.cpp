// Lab 02, exceptions and vectors (reference solution): install the vector
// table, then take two kinds of synchronous exception and come back from
// them: BRK #1 (a breakpoint: ELR_EL1 points at the BRK itself, so the
// handler must step over it) and SVC #0 (a system call: ELR_EL1 already
// points after it).
#include "lab.h"

namespace {

char g_received[32];          // characters handed over by BRK #1 (x0)
unsigned g_length;            // how many
volatile unsigned g_handled;  // exceptions handled

constexpr uint32_t kClassSvc64 = 0x15, kClassBrk64 = 0x3c;
constexpr uint64_t kSysWrite = 64;  // the system call number in x8

// A system call: x8 = number, x0..x5 = arguments, result in x0.
int64_t syscall(uint64_t number, uint64_t a0, uint64_t a1) {
  register uint64_t x8 asm("x8") = number;
  register uint64_t x0 asm("x0") = a0;
  register uint64_t x1 asm("x1") = a1;
  asm volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x8) : "memory");
  return static_cast<int64_t>(x0);
}

}  // namespace

extern "C" void lab_exception(lab::Frame* frame, unsigned kind) {
  const uint32_t ec = lab::esr_class(frame->esr);
  if (kind == 4 && ec == kClassBrk64) {
    const uint32_t imm = frame->esr & 0xffff;  // ISS[15:0] = the BRK's immediate
    if (imm == 1 && g_length + 1 < sizeof(g_received)) g_received[g_length++] = char(frame->x[0]);
    g_handled = g_handled + 1;
    frame->elr += 4;  // ELR_EL1 = the BRK: step over it
    return;
  }
  if (kind == 4 && ec == kClassSvc64) {
    if (frame->x[8] == kSysWrite) {
      const char* s = reinterpret_cast<const char*>(frame->x[0]);
      for (uint64_t i = 0; i < frame->x[1]; ++i) lab::putc(s[i]);
      frame->x[0] = frame->x[1];  // the result: bytes written
    } else {
      frame->x[0] = static_cast<uint64_t>(-1);
    }
    g_handled = g_handled + 1;
    return;  // ELR_EL1 already points after the SVC
  }
  lab::printf("unexpected exception: vector %u, ESR_EL1 0x%llx at 0x%llx\n", kind,
              static_cast<unsigned long long>(frame->esr),
              static_cast<unsigned long long>(frame->elr));
  lab::system_off(lab::kExitCrash);
}

extern "C" int lab_main(uint64_t) {
  lab::install_vectors();

  uint64_t vbar;
  asm volatile("mrs %0, vbar_el1" : "=r"(vbar));
  if (vbar != reinterpret_cast<uint64_t>(lab_vectors)) {
    lab::puts("vectors: VBAR_EL1 does not point at lab_vectors\n");
    return 1;
  }
  lab::mark("vectors");

  // Every character of the nonce travels in x0 through a BRK #1.
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  for (size_t i = 0; nonce[i]; ++i) {
    register uint64_t x0 asm("x0") = static_cast<uint8_t>(nonce[i]);
    asm volatile("brk #1" ::"r"(x0) : "memory");
  }
  lab::printf("via brk: %s (%u characters)\n", g_received, g_length);

  static const char kLine[] = "via svc: hello\n";
  const int64_t written = syscall(kSysWrite, reinterpret_cast<uint64_t>(kLine), sizeof(kLine) - 1);
  lab::printf("svc returned %lld\n", static_cast<long long>(written));

  if (lab::streq(g_received, nonce) && written == int64_t(sizeof(kLine) - 1)) lab::mark("handled");
  lab::printf("exceptions handled: %u\n", g_handled);
  return static_cast<int>(g_handled);  // 16 BRKs + 1 SVC = 17
}
