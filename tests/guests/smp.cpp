// SMP guest: the boot CPU starts every other CPU the device tree lists with
// PSCI CPU_ON, each says hello and sends SGI 1 to CPU 0; CPU 0 answers all
// with SGI 2 (to "all but self"), they turn themselves off (CPU_OFF), and
// AFFINITY_INFO reports each state on the way. Exit code 0 when all of it
// happened as PSCI (DEN0022) and GICv3 say.
//
// With `burst=1` the secondaries are started back to back, without the
// AFFINITY_INFO checks between the CPU_ONs.
//
// With `reboot=1` in the bootargs, the first boot starts CPU 1 only, which
// asks for a SYSTEM_RESET; the second boot (found by a mark in RAM outside
// the image) runs the test above: every vCPU starts over from the new boot.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

constexpr uint32_t kHelloSgi = 1;
constexpr uint32_t kByeSgi = 2;
volatile unsigned g_hellos;
volatile unsigned g_hello_from[guest::kMaxCpus];
volatile bool g_bye[guest::kMaxCpus];
volatile bool g_reset_from_cpu1;
constexpr uint64_t kMarkAddress = 0x4050'0000;
constexpr uint64_t kMark = 0x736d'7072'6562'6f6full;

void say(const char* fmt, unsigned a, unsigned b = 0) {
  guest::print_lock();
  guest::printf(fmt, a, b);
  guest::print_unlock();
}

}  // namespace

extern "C" void guest_exception(guest::ExceptionFrame* f, uint64_t kind) {
  if (kind != 5) {  // IRQ from the current EL with SP_ELx
    guest::printf("cpu %u: unexpected exception kind %llu esr 0x%llx far 0x%llx at 0x%llx\n",
                  guest::cpu_index(), static_cast<unsigned long long>(kind),
                  static_cast<unsigned long long>(guest::read_esr_el1()),
                  static_cast<unsigned long long>(guest::read_far_el1()),
                  static_cast<unsigned long long>(f->elr));
    psci_system_off(3);
  }
  const uint32_t intid = guest::gic_ack();
  if (intid == kHelloSgi) __atomic_fetch_add(&g_hellos, 1u, __ATOMIC_SEQ_CST);
  if (intid == kByeSgi) g_bye[guest::cpu_index()] = true;
  if (intid < 1020) guest::gic_eoi(intid);
}

extern "C" void guest_secondary_main(unsigned cpu) {
  if (g_reset_from_cpu1) {
    say("cpu %u: asking for a system reset\n", cpu);
    guest::psci_call(guest::kPsciSystemReset);
  }
  guest::gic_init_cpu();
  guest::gic_enable_private(kByeSgi, 0x80);
  guest::irq_enable();
  say("cpu %u: up, MPIDR.Aff0 %u\n", cpu, guest::cpu_index());
  g_hello_from[cpu] = 1;
  guest::gic_send_sgi(0, kHelloSgi);
  guest::wait_until([cpu] { return g_bye[cpu]; });
  say("cpu %u: got SGI %u from cpu 0, turning off\n", cpu, kByeSgi);
}

extern "C" int guest_main(uint64_t dtb) {
  const unsigned cpus = guest::dt_cpu_count(dtb);
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_private(kHelloSgi, 0x80);
  guest::irq_enable();
  guest::printf("smp: %u cpus in the device tree\n", cpus);
  auto* mark = reinterpret_cast<volatile uint64_t*>(kMarkAddress);
  if (guest::bootarg_number(guest::bootargs(dtb), "reboot", 0) == 1 && cpus > 1) {
    if (*mark != kMark) {
      *mark = kMark;
      g_reset_from_cpu1 = true;
      guest::start_cpu(1);
      for (;;) asm volatile("wfi");
    }
    guest::printf("smp: second boot after a reset from cpu 1\n");
  }
  int failures = 0;
  // With `burst=1`, every secondary is started back to back first: each
  // CPU_ON makes a vCPU runnable before the CPU woken for the previous
  // one has taken it, so a scheduler that wakes the same CPU twice leaves
  // one behind.
  const bool burst = guest::bootarg_number(guest::bootargs(dtb), "burst", 0) == 1;
  if (burst) {
    for (unsigned c = 1; c < cpus; ++c)
      if (guest::start_cpu(c) != 0) ++failures;
    say("cpu 0: started %u secondaries back to back\n", cpus - 1);
  }
  for (unsigned c = 1; c < cpus && !burst; ++c) {
    const int64_t before = guest::affinity_info(c);
    const int64_t on = guest::start_cpu(c);
    const int64_t again = guest::start_cpu(c);
    say("cpu 0: AFFINITY_INFO(%u) before CPU_ON = %u\n", c, unsigned(before));
    guest::print_lock();
    guest::printf("cpu 0: CPU_ON(%u) = %lld, again = %lld\n", c, static_cast<long long>(on),
                  static_cast<long long>(again));
    guest::print_unlock();
    if (before != 1 || on != 0 || (again != -4 && again != -5)) ++failures;
  }
  if (guest::start_cpu(cpus) != -2) ++failures;  // no such CPU: INVALID_PARAMETERS
  // SGIs of one INTID to one CPU coalesce while pending (IHI 0069 2.2.1),
  // so the secondaries also raise a flag each; the SGIs wake CPU 0.
  auto arrived = [cpus] {
    unsigned n = 0;
    for (unsigned c = 1; c < cpus; ++c) n += g_hello_from[c];
    return n;
  };
  for (uint64_t spins = 0; arrived() < cpus - 1 && spins < 100; ++spins) {
    const uint64_t deadline = guest::counter() + guest::frequency() / 20;
    guest::wait_until([&] { return arrived() >= cpus - 1 || guest::counter() >= deadline; });
  }
  guest::print_lock();
  guest::printf("cpu 0: %u secondaries said hello, SGIs received: %s\n", arrived(),
                g_hellos > 0 || cpus == 1 ? "yes" : "no");
  guest::print_unlock();
  if (arrived() != cpus - 1 || (cpus > 1 && g_hellos == 0)) ++failures;
  for (unsigned c = 1; c < cpus; ++c)
    if (guest::affinity_info(c) != 0) ++failures;
  guest::gic_send_sgi_others(kByeSgi);
  for (unsigned c = 1; c < cpus; ++c) {
    uint64_t spins = 0;
    while (guest::affinity_info(c) != 1 && ++spins < 10'000'000) asm volatile("yield");
    if (guest::affinity_info(c) != 1) ++failures;
  }
  say("cpu 0: all %u secondaries are off again; %u failures\n", cpus - 1, unsigned(failures));
  return failures;
}
