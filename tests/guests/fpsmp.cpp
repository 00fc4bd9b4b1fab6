// FP/SIMD state per vCPU: every CPU fills V0-V31, FPCR and FPSR with values
// of its own, makes many exits to the lowvisor (PSCI calls, device reads,
// printing), and checks that it reads back exactly what it wrote. Then CPU 1
// is turned off and on again: it must start with the reset state (all
// zero), as after a PSCI CPU_ON on plain QEMU, and not with what it, or a
// previous guest, left in the registers. Exit code: number of failed checks.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

using ull = unsigned long long;

struct alignas(16) Fp {
  uint64_t v[64];
  uint64_t fpcr, fpsr;
};

// FPCR: rounding mode (RMode, bits 23:22) and flush-to-zero (bit 24);
// FPSR: the cumulative exception flags (bits 4:0) and QC (bit 27).
constexpr uint64_t kFpcrMask = (3ull << 22) | (1ull << 24);
constexpr uint64_t kFpsrMask = 0x1f | (1ull << 27);

void fp_write(const Fp& s) {
  asm volatile(
      ".arch_extension fp\n.arch_extension simd\n"
      "ldp q0, q1, [%0, #0]\n ldp q2, q3, [%0, #32]\n ldp q4, q5, [%0, #64]\n"
      "ldp q6, q7, [%0, #96]\n ldp q8, q9, [%0, #128]\n ldp q10, q11, [%0, #160]\n"
      "ldp q12, q13, [%0, #192]\n ldp q14, q15, [%0, #224]\n ldp q16, q17, [%0, #256]\n"
      "ldp q18, q19, [%0, #288]\n ldp q20, q21, [%0, #320]\n ldp q22, q23, [%0, #352]\n"
      "ldp q24, q25, [%0, #384]\n ldp q26, q27, [%0, #416]\n ldp q28, q29, [%0, #448]\n"
      "ldp q30, q31, [%0, #480]\n ldr x9, [%0, #512]\n ldr x10, [%0, #520]\n msr fpcr, x9\n msr "
      "fpsr, x10\n" ::"r"(&s)
      : "x9", "x10", "memory");
}

void fp_read(Fp& s) {
  asm volatile(
      ".arch_extension fp\n.arch_extension simd\n"
      "stp q0, q1, [%0, #0]\n stp q2, q3, [%0, #32]\n stp q4, q5, [%0, #64]\n"
      "stp q6, q7, [%0, #96]\n stp q8, q9, [%0, #128]\n stp q10, q11, [%0, #160]\n"
      "stp q12, q13, [%0, #192]\n stp q14, q15, [%0, #224]\n stp q16, q17, [%0, #256]\n"
      "stp q18, q19, [%0, #288]\n stp q20, q21, [%0, #320]\n stp q22, q23, [%0, #352]\n"
      "stp q24, q25, [%0, #384]\n stp q26, q27, [%0, #416]\n stp q28, q29, [%0, #448]\n"
      "stp q30, q31, [%0, #480]\n mrs x9, fpcr\n mrs x10, fpsr\n str x9, [%0, #512]\n str x10, "
      "[%0, #520]\n" ::"r"(&s)
      : "x9", "x10", "memory");
}

// CPACR_EL1.FPEN = 0b11: FP/SIMD at EL1 and EL0 without trapping (an ELF
// booted directly by QEMU starts with FPEN = 0).
void enable_fp() { asm volatile("msr cpacr_el1, %0; isb" ::"r"(3ull << 20)); }

void pattern(unsigned cpu, Fp& s) {
  for (unsigned i = 0; i < 64; ++i)
    s.v[i] = 0x0f0f'0000'0000'0000ull * (cpu + 1) ^ (i * 0x0101'0101ull);
  s.fpcr = (uint64_t(cpu & 3) << 22) | (cpu & 1 ? 1ull << 24 : 0);
  s.fpsr = (cpu + 1) & 0x1f;
}

bool same(const Fp& a, const Fp& b) {
  for (unsigned i = 0; i < 64; ++i)
    if (a.v[i] != b.v[i]) return false;
  return (a.fpcr & kFpcrMask) == (b.fpcr & kFpcrMask) &&
         (a.fpsr & kFpsrMask) == (b.fpsr & kFpsrMask);
}

bool zero(const Fp& a) {
  for (unsigned i = 0; i < 64; ++i)
    if (a.v[i] != 0) return false;
  return (a.fpcr & kFpcrMask) == 0 && (a.fpsr & kFpsrMask) == 0;
}

// Exits of several kinds between writing and reading the registers.
void exits(unsigned rounds) {
  for (unsigned r = 0; r < rounds; ++r) {
    (void)guest::psci_call(guest::kPsciVersion);
    (void)*reinterpret_cast<volatile uint32_t*>(0x0900'0018);  // PL011 UARTFR
  }
}

volatile unsigned g_done;
volatile bool g_ok[guest::kMaxCpus];
volatile bool g_second_round;
volatile bool g_reset_state_ok;

bool run_on_this_cpu(unsigned cpu) {
  Fp mine{}, back{};
  pattern(cpu, mine);
  fp_write(mine);
  exits(200);
  fp_read(back);
  return same(mine, back);
}

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* f, uint64_t kind) {
  guest::printf("cpu %u: unexpected exception kind %llu esr 0x%llx at 0x%llx\n", guest::cpu_index(),
                ull(kind), ull(guest::read_esr_el1()), ull(f->elr));
  psci_system_off(99);
}

extern "C" void guest_secondary_main(unsigned cpu) {
  enable_fp();
  if (g_second_round) {
    Fp fresh{};
    for (auto& w : fresh.v) w = ~0ull;
    fp_read(fresh);
    g_reset_state_ok = zero(fresh);
    __atomic_fetch_add(&g_done, 1u, __ATOMIC_SEQ_CST);
    return;
  }
  g_ok[cpu] = run_on_this_cpu(cpu);
  __atomic_fetch_add(&g_done, 1u, __ATOMIC_SEQ_CST);
}

extern "C" int guest_main(uint64_t dtb) {
  const unsigned cpus = guest::dt_cpu_count(dtb);
  guest::install_vectors();
  enable_fp();
  int failures = 0;
  auto check = [&failures](bool ok, const char* what, unsigned cpu) {
    guest::print_lock();
    guest::printf("%s: %s (cpu %u)\n", ok ? "ok" : "FAIL", what, cpu);
    guest::print_unlock();
    if (!ok) ++failures;
  };
  for (unsigned c = 1; c < cpus; ++c) guest::start_cpu(c);
  const bool ok0 = run_on_this_cpu(0);
  while (g_done < cpus - 1) (void)guest::psci_call(guest::kPsciVersion);
  check(ok0, "FP/SIMD registers kept across exits", 0);
  for (unsigned c = 1; c < cpus; ++c) check(g_ok[c], "FP/SIMD registers kept across exits", c);
  if (cpus > 1) {
    while (guest::affinity_info(1) != 1) (void)guest::psci_call(guest::kPsciVersion);  // 1 = OFF
    g_second_round = true;
    g_done = 0;
    guest::start_cpu(1);
    while (g_done < 1) (void)guest::psci_call(guest::kPsciVersion);
    check(g_reset_state_ok, "FP/SIMD registers in their reset state after CPU_ON", 1);
  }
  guest::printf("fpsmp: %d failure(s)\n", failures);
  return failures;
}
