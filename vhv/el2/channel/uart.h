// The VHV machine's own PL011 at layout::kVhvPl011: the byte stream to the
// highvisor. Polled transmit (QEMU's PL011 never reports TX full, but we
// honour the flag); receive is drained from the RX interrupt path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab {

class VhvUart {
 public:
  // Enables the UART with FIFOs and the RX + RX-timeout interrupts.
  static void init();
  static void write_raw(const void* data, size_t len);
  // Returns -1 when the receive FIFO is empty.
  static int read_byte();
};

}  // namespace nestlab
