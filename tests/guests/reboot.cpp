// PSCI SYSTEM_RESET is a real reboot: the first boot leaves a mark in RAM
// outside the image (a reset reloads the image, not all of RAM, on plain
// QEMU and in a VHV alike) and resets; the second boot finds it and powers
// off with code 0.
#include "tests/guests/lib/guest.h"

namespace {
constexpr uint64_t kMarkAddress = 0x4040'0000;
constexpr uint64_t kMark = 0x7265'626f'6f74'2121ull;
constexpr uint64_t kPsciSystemReset = 0x8400'0009;
}  // namespace

extern "C" int guest_main(uint64_t) {
  auto* mark = reinterpret_cast<volatile uint64_t*>(kMarkAddress);
  if (*mark != kMark) {
    *mark = kMark;
    guest::puts("reboot: first boot, asking for a system reset\n");
    guest::psci_call(kPsciSystemReset);
    guest::puts("reboot: SYSTEM_RESET returned\n");
    return 1;
  }
  *mark = 0;
  guest::puts("reboot: second boot, powering off\n");
  return 0;
}
