// S18/S8 guest: its secondary CPUs are described with enable-method
// "spin-table" when the VM boots them through mailboxes. It releases each
// by writing its entry to the CPU's cpu-release-addr (then SEV), waits for
// all to check in, and with `reboot=1` does a SYSTEM_RESET after the first
// round: the secondaries are parked in their mailboxes again and the new
// boot releases them once more. Exit code 0 when every CPU came each time.
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

struct alignas(4096) State {  // away from the code (S15: W^X pages)
  volatile unsigned up[guest::kMaxCpus];
};
State g_state;
constexpr uint64_t kMarkAddress = 0x4060'0000;
constexpr uint64_t kMark = 0x6d61'696c'626f'7821ull;

}  // namespace

extern "C" void guest_secondary_main(unsigned cpu) {
  guest::print_lock();
  guest::printf("cpu %u: released from its mailbox, MPIDR.Aff0 %u\n", cpu, guest::cpu_index());
  guest::print_unlock();
  g_state.up[cpu] = 1;
}

extern "C" int guest_main(uint64_t dtb) {
  const unsigned cpus = guest::dt_cpu_count(dtb);
  auto* mark = reinterpret_cast<volatile uint64_t*>(kMarkAddress);
  const bool second_boot = *mark == kMark;
  guest::install_vectors();
  guest::printf("mailbox: %u cpus, %s boot\n", cpus, second_boot ? "second" : "first");
  int failures = 0;
  for (unsigned c = 1; c < cpus; ++c) {
    const uint64_t addr = guest::dt_cpu_release_addr(dtb, c);
    const int64_t state = guest::affinity_info(c);
    guest::print_lock();
    guest::printf("cpu 0: cpu %u cpu-release-addr 0x%llx, AFFINITY_INFO %lld\n", c,
                  static_cast<unsigned long long>(addr), static_cast<long long>(state));
    guest::print_unlock();
    if (addr == 0) {
      ++failures;
      continue;
    }
    guest::release_cpu(addr);
  }
  for (unsigned c = 1; c < cpus; ++c) {
    const uint64_t deadline = guest::counter() + 5 * guest::frequency();
    while (!g_state.up[c] && guest::counter() < deadline) asm volatile("yield");
    if (!g_state.up[c]) ++failures;
  }
  guest::print_lock();
  guest::printf("cpu 0: all secondaries released: %s\n", failures ? "no" : "yes");
  guest::print_unlock();
  if (!second_boot && guest::bootarg_number(guest::bootargs(dtb), "reboot", 0) == 1) {
    *mark = kMark;
    guest::printf("cpu 0: system reset\n");
    guest::psci_call(guest::kPsciSystemReset);
  }
  *mark = 0;
  return failures;
}
