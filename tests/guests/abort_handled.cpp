// Installs vectors, loads from an unmapped address, and handles the
// synchronous external abort itself: checks ESR_EL1/FAR_EL1, skips the load.
#include "tests/guests/bad_address.h"
#include "tests/guests/lib/guest.h"

namespace {
volatile int g_aborts = 0;
}

extern "C" void guest_exception(guest::ExceptionFrame* frame, uint64_t kind) {
  const uint64_t esr = guest::read_esr_el1();
  const uint64_t ec = (esr >> 26) & 0x3f;
  if (kind != 4 || ec != 0x25) {
    guest::printf("abort-handled: unexpected exception kind %llu ESR_EL1 0x%llx\n",
                  static_cast<unsigned long long>(kind), static_cast<unsigned long long>(esr));
    psci_system_off(2);
  }
  guest::printf("caught data abort, ESR_EL1 EC=0x%02llx DFSC=0x%02llx FAR_EL1=0x%llx\n",
                static_cast<unsigned long long>(ec), static_cast<unsigned long long>(esr & 0x3f),
                static_cast<unsigned long long>(guest::read_far_el1()));
  g_aborts = g_aborts + 1;
  frame->elr += 4;  // skip the faulting load
}

extern "C" int guest_main(uint64_t) {
  guest::install_vectors();
  guest::printf("abort-handled: loading from 0x%llx\n",
                static_cast<unsigned long long>(kBadAddress));
  (void)*reinterpret_cast<volatile uint32_t*>(kBadAddress);
  guest::printf("abort-handled: continued after %d abort(s)\n", g_aborts);
  return g_aborts == 1 ? 0 : 1;
}
