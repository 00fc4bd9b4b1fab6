// Powers off with the code given as "exit=N" in the bootargs (0 if absent).
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t dtb) {
  const auto code = static_cast<int>(guest::bootarg_number(guest::bootargs(dtb), "exit", 0) & 0xff);
  guest::printf("exiting with %d\n", code);
  return code;
}
