// Executes SMC #0 at EL1 with vectors installed. With PSCI over HVC and no
// EL3 firmware, SMC is UNDEFINED: the guest must see EC 0x00 at the SMC.
#include "tests/guests/lib/guest.h"

extern "C" char smc_site[];

extern "C" void guest_exception(guest::ExceptionFrame* frame, uint64_t kind) {
  const uint64_t esr = guest::read_esr_el1();
  const uint64_t ec = (esr >> 26) & 0x3f;
  const bool at_smc = frame->elr == reinterpret_cast<uint64_t>(smc_site);
  guest::printf("smc: got exception EC=0x%02llx (%s)%s\n", static_cast<unsigned long long>(ec),
                ec == 0 ? "UNDEFINED" : "unexpected", at_smc ? " at the SMC" : " elsewhere");
  if (kind != 4 || ec != 0 || !at_smc) psci_system_off(2);
  frame->elr += 4;
}

extern "C" int guest_main(uint64_t) {
  guest::install_vectors();
  guest::puts("smc: executing SMC #0\n");
  asm volatile(
      ".global smc_site\n"
      "smc_site: smc #0" ::
          : "x0", "x1", "x2", "x3", "memory");
  guest::puts("smc: resumed after the SMC\n");
  return 0;
}
