// Loads from an unmapped address with no vectors installed. Plain QEMU then
// loops on an empty vector table; a VHV stops the VM with a Fault report.
#include "tests/guests/bad_address.h"
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t) {
  guest::printf("fault: loading from 0x%llx with no exception vectors\n",
                static_cast<unsigned long long>(kBadAddress));
  const uint32_t v = *reinterpret_cast<volatile uint32_t*>(kBadAddress);
  guest::printf("fault: the load returned 0x%x, which it should not have\n", v);
  return 1;
}
