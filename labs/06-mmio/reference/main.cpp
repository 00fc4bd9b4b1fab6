// Lab 06, trapped MMIO (reference solution): drive the PL011 UART through its
// registers. In a VHV the UART is not real: its page is left out of the
// guest's stage-2 mapping, so every load or store to it is a data abort
// (DABT_LOW) that the lowvisor decodes (ESR_EL2.ISS: register, size,
// direction), hands to its PL011 model and answers. This program reads the
// PrimeCell ID registers and the flags, then sends the nonce around the
// UART's internal loopback and reads it back.
#include "lab.h"

namespace {

// PL011 registers (Arm DDI 0183G, table 3-1) and bits.
constexpr uint64_t kDr = 0x000, kFr = 0x018, kCr = 0x030, kPeriphId0 = 0xfe0, kCellId0 = 0xff0;
constexpr uint32_t kFrRxfe = 1u << 4, kFrTxfe = 1u << 7;
constexpr uint32_t kCrUarten = 1u << 0, kCrLbe = 1u << 7, kCrTxe = 1u << 8, kCrRxe = 1u << 9;

// Four 8-bit ID registers, lowest first, as one 32-bit value.
uint32_t read_id(uint64_t first) {
  uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i) v |= (lab::mmio_read32(first + 4 * i) & 0xff) << (8 * i);
  return v;
}

}  // namespace

extern "C" int lab_main(uint64_t) {
  // Our own output must not touch the UART: with loopback on, whatever we
  // wrote to it would come back to us instead of reaching the console, and
  // every printed character would cost two more exits.
  lab::console_via_backdoor(true);
  const uint64_t uart = lab::uart();

  const uint32_t periph = read_id(uart + kPeriphId0);
  const uint32_t cell = read_id(uart + kCellId0);
  lab::printf("pl011 periphid 0x%08x cellid 0x%08x\n", periph, cell);
  lab::printf("part 0x%03x, designer 0x%02x, revision %u\n", periph & 0xfff, (periph >> 12) & 0xff,
              (periph >> 20) & 0xf);
  if (cell == 0xb105f00d && (periph & 0xfff) == 0x011) lab::mark("pl011");

  const uint32_t fr = lab::mmio_read32(uart + kFr);
  lab::printf("fr 0x%02x: transmit fifo %s, receive fifo %s\n", fr,
              (fr & kFrTxfe) ? "empty" : "not empty", (fr & kFrRxfe) ? "empty" : "not empty");

  // Loopback (CR.LBE): each byte written to DR is received again.
  char nonce[24] = {};
  lab::bootarg("nonce", nonce, sizeof(nonce));
  char back[24] = {};
  const uint32_t cr = lab::mmio_read32(uart + kCr);
  lab::mmio_write32(uart + kCr, cr | kCrLbe | kCrUarten | kCrTxe | kCrRxe);
  for (size_t i = 0; nonce[i] && i + 1 < sizeof(back); ++i) {
    lab::mmio_write32(uart + kDr, static_cast<uint8_t>(nonce[i]));
    int polls = 0;  // wait for it to arrive, but not forever
    while ((lab::mmio_read32(uart + kFr) & kFrRxfe) && ++polls < 1000) {
    }
    if (polls == 1000) break;
    back[i] = static_cast<char>(lab::mmio_read32(uart + kDr) & 0xff);
  }
  lab::mmio_write32(uart + kCr, cr);
  lab::printf("loopback: %s\n", back);
  return lab::streq(back, nonce) ? 0 : 1;
}
