// Interrupt security module (S24): declares through the backdoor that x19
// holds a secret while secret_region runs, arms the virtual timer so that
// its interrupt arrives inside the region, and checks that the handler saw
// x19 as the lowvisor's unrelated constant while the region, once resumed,
// still had its secret. Exit code 0 when both held.
#include "tests/guests/hypercall.h"
#include "tests/guests/lib/guest.h"
#include "tests/guests/lib/platform.h"

namespace {

using ull = unsigned long long;
constexpr uint64_t kSecret = 0x1234'5678'9abc'def0ull;

// Written by the handler: a page of its own, away from the code (S15).
struct alignas(4096) State {
  volatile uint64_t done;
  volatile uint64_t seen_x19;
  volatile uint64_t irqs;
};
State g_state;

}  // namespace

// isec_run(secret, &done): x19 = secret, spin in secret_region until *done,
// return what x19 holds then. The region is a page of its own.
extern "C" uint64_t isec_run(uint64_t secret, volatile uint64_t* done);
extern "C" char secret_region[], secret_region_end[];
asm(R"(
    .pushsection .text.isec_run, "ax"
    .global isec_run
isec_run:
    stp     x19, x30, [sp, #-16]!
    mov     x19, x0
    mov     x0, x1
    bl      secret_region
    ldp     x19, x30, [sp], #16
    ret
    .popsection
    .pushsection .text.isec_region, "ax"
    .balign 4096
    .global secret_region
secret_region:
1:  ldr     x1, [x0]
    cbz     x1, 1b
    mov     x0, x19
    ret
    .global secret_region_end
secret_region_end:
    .balign 4096
    .popsection
)");

extern "C" void guest_exception(guest::ExceptionFrame* f, uint64_t kind) {
  if (kind != 5) {
    guest::printf("isec: unexpected exception kind %llu esr 0x%llx at 0x%llx\n", ull(kind),
                  ull(guest::read_esr_el1()), ull(f->elr));
    psci_system_off(3);
  }
  const uint32_t intid = guest::gic_ack();
  if (intid == guest::kVtimerIntid) {
    guest::timer_disarm();
    const uint64_t pc = f->elr;
    if (pc >= reinterpret_cast<uint64_t>(secret_region) &&
        pc < reinterpret_cast<uint64_t>(secret_region_end)) {
      g_state.seen_x19 = f->x[19];
      g_state.irqs = g_state.irqs + 1;
      g_state.done = 1;
    } else {
      // Early, before the region runs (a loaded host can delay the guest
      // by more than the deadline): only an interrupt inside it counts.
      guest::timer_arm_at(guest::counter() + guest::frequency() / 100);
    }
  }
  if (intid < 1020) guest::gic_eoi(intid);
}

extern "C" int guest_main(uint64_t) {
  guest::install_vectors();
  guest::gic_init_distributor();
  guest::gic_init_cpu();
  guest::gic_enable_private(guest::kVtimerIntid, 0x80);
  auto r = guest::backdoor_brk(static_cast<uint64_t>(nestlab::backdoor::Service::SecretRegion), 19,
                               reinterpret_cast<uint64_t>(secret_region),
                               reinterpret_cast<uint64_t>(secret_region_end));
  if (r.status != 0) {
    guest::printf("isec: declaring the region failed: %lld\n", (long long)r.status);
    return 4;
  }
  guest::timer_arm_at(guest::counter() + guest::frequency() / 100);  // 10 ms
  guest::irq_enable();
  const uint64_t after = isec_run(kSecret, &g_state.done);
  guest::irq_disable();
  guest::printf("isec: handler saw x19=0x%llx, region resumed with x19=0x%llx\n",
                ull(g_state.seen_x19), ull(after));
  const bool scrubbed = g_state.seen_x19 == nestlab::backdoor::kScrubbedValue;
  const bool kept = after == kSecret;
  guest::printf("isec: handler %s the secret; interrupted code %s it\n",
                scrubbed ? "did not see" : "SAW", kept ? "kept" : "LOST");
  return scrubbed && kept ? 0 : 1;
}
