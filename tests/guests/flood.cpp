// Prints `bytes=N` bytes (default 1 MiB) of numbered 100-byte lines as fast
// as the UART takes them, then "flood done" and powers off: the console
// throughput benchmark and the console log-cap test.
#include "tests/guests/lib/guest.h"

extern "C" int guest_main(uint64_t dtb) {
  const uint64_t total = guest::bootarg_number(guest::bootargs(dtb), "bytes", 1u << 20);
  volatile uint32_t* const dr = reinterpret_cast<volatile uint32_t*>(guest::kUart);
  char line[101];
  for (int i = 0; i < 100; ++i) line[i] = static_cast<char>('a' + i % 26);
  line[99] = '\n';
  uint64_t sent = 0;
  for (uint64_t n = 0; sent < total; ++n) {
    uint64_t v = n;
    for (int d = 18; d >= 0; --d, v /= 10) line[d] = static_cast<char>('0' + v % 10);
    line[19] = ' ';
    const uint64_t len = total - sent < 100 ? total - sent : 100;
    // The TX FIFO of a virtual PL011 never fills (QEMU's and the lowvisor's
    // both transmit at once), so no UARTFR polling: one trap per byte.
    for (uint64_t i = 0; i < len; ++i) *dr = static_cast<uint8_t>(line[i]);
    sent += len;
  }
  guest::puts("\nflood done\n");
  return 0;
}
