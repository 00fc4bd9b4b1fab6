#include "vhv/el2/boot/smp.h"

#include "vhv/el2/boot/mmu.h"
#include "vhv/el2/channel/gic.h"
#include "vhv/el2/sched/prda.h"
#include "vhv/el2/sched/sched.h"

extern "C" {
// One 16 KiB stack per CPU (smp_entry.S); CPU 0 keeps the linker's stack.
alignas(16) uint8_t g_cpu_stacks[nestlab::kMaxCpus][16 * 1024];
void secondary_entry();
}

namespace nestlab {
namespace {

constexpr uint64_t kPsciCpuOn64 = 0xC400'0003;
constexpr int64_t kPsciSuccess = 0;
constexpr int64_t kPsciAlreadyOn = -4;

volatile uint32_t g_online_mask = 1;  // bit n: CPU n checked in
unsigned g_cpu_count = 1;

int64_t smc_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context) {
  register uint64_t x0 asm("x0") = kPsciCpuOn64;
  register uint64_t x1 asm("x1") = mpidr;
  register uint64_t x2 asm("x2") = entry;
  register uint64_t x3 asm("x3") = context;
  asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
  return static_cast<int64_t>(x0);
}

}  // namespace

unsigned cpu_count() { return g_cpu_count; }

unsigned smp_boot() {
  const auto entry = reinterpret_cast<uint64_t>(&secondary_entry);
  uint32_t started = 1;
  for (unsigned cpu = 1; cpu < kMaxCpus; ++cpu) {
    const int64_t r = smc_cpu_on(cpu, entry, cpu);
    // INVALID_PARAMETERS: no such CPU; the virt board numbers them densely.
    if (r != kPsciSuccess && r != kPsciAlreadyOn) break;
    started |= 1u << cpu;
  }
  // Each secondary needs a few thousand instructions to check in.
  for (uint64_t spins = 0; (g_online_mask & started) != started && spins < 100'000'000; ++spins)
    asm volatile("yield");
  unsigned n = 0;
  while (n < kMaxCpus && (g_online_mask & (1u << n))) ++n;
  g_cpu_count = n;
  arch::dsb_ish();
  return n;
}

}  // namespace nestlab

extern "C" [[noreturn]] void secondary_main(uint64_t cpu) {
  using namespace nestlab;
  mmu_enable(static_cast<unsigned>(cpu), prda_home_pa(static_cast<unsigned>(cpu)));
  prda_init(static_cast<unsigned>(cpu));
  PhysicalGic::init_cpu(static_cast<unsigned>(cpu));
  __atomic_fetch_or(&g_online_mask, 1u << cpu, __ATOMIC_SEQ_CST);
  sched_cpu_loop();
}
