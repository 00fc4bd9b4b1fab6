// Lab 06, trapped MMIO (your file): drive the PL011 UART through its
// registers, each access a trap to the lowvisor. See README.md.
#include "lab.h"

namespace {

// PL011 registers (Arm DDI 0183G, table 3-1) and bits.
constexpr uint64_t kDr = 0x000, kFr = 0x018, kCr = 0x030, kPeriphId0 = 0xfe0, kCellId0 = 0xff0;
constexpr uint32_t kFrRxfe = 1u << 4, kFrTxfe = 1u << 7;
constexpr uint32_t kCrUarten = 1u << 0, kCrLbe = 1u << 7, kCrTxe = 1u << 8, kCrRxe = 1u << 9;

}  // namespace

extern "C" int lab_main(uint64_t) {
  // Keep this: our own output must not touch the UART (see README.md).
  lab::console_via_backdoor(true);
  const uint64_t uart = lab::uart();

  // TODO 1: read the four PeriphID and the four CellID registers (8 bits of
  // each 32-bit register, lowest first), print
  // "pl011 periphid 0x<8 hex digits> cellid 0x<8 hex digits>" and, when the
  // cell ID is the PrimeCell one and the part number is the PL011's, call
  // lab::mark("pl011").
  uint32_t periph = 0, cell = 0;
  lab::printf("pl011 periphid 0x%08x cellid 0x%08x\n", periph, cell);

  // TODO 2: read FR and print "fr 0x<2 hex digits>: transmit fifo
  // empty|not empty, receive fifo empty|not empty".

  // TODO 3: turn loopback on (CR.LBE, with the UART, its transmitter and its
  // receiver enabled), send each nonce character through DR, wait for it to
  // be received (FR.RXFE clear; give up after 1000 polls), read it back from
  // DR, restore CR, print "loopback: <what came back>".
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  char back[24] = {};
  lab::printf("loopback: %s\n", back);
  (void)uart;
  (void)kDr, (void)kFr, (void)kCr, (void)kPeriphId0, (void)kCellId0;
  (void)kFrRxfe, (void)kFrTxfe, (void)kCrUarten, (void)kCrLbe, (void)kCrTxe, (void)kCrRxe;
  return lab::streq(back, nonce) ? 0 : 1;
}
