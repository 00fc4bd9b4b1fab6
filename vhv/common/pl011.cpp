#include "vhv/common/pl011.h"

namespace nestlab {
namespace {
// PrimeCell identification registers as QEMU's pl011 reports them (0xfe0..0xffc).
constexpr uint8_t kIds[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
}  // namespace

Pl011::Pl011(ConsoleSink* sink, ConsoleSource* source) : m_sink(sink), m_source(source) {
  // The transmit FIFO starts empty, below any trigger level (3.4.3).
  m_ris = kIntTx;
}

size_t Pl011::rx_trigger() const {
  // IFLS.RXIFLSEL (3.3.10): 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO.
  if (!(m_lcr_h & kLcrHFen)) return 1;
  static constexpr size_t kEighths[8] = {1, 2, 4, 6, 7, 4, 4, 4};
  return kRxFifo * kEighths[(m_ifls >> 3) & 7] / 8;
}

void Pl011::update_rx_interrupts() {
  // RXINTR while the FIFO is at or above its trigger level (3.4.3). The
  // receive timeout fires when data sits below the level and nothing more
  // arrives for 32 bit periods: a virtual line is always idle by the time
  // the guest looks, so data below the level raises RTINTR at once.
  m_ris &= ~(kIntRx | kIntRt);
  if (m_rx_count >= rx_trigger())
    m_ris |= kIntRx;
  else if (m_rx_count > 0)
    m_ris |= kIntRt;
}

void Pl011::update_irq_line() {
  const bool level = irq_pending();
  if (level == m_irq_level) return;
  m_irq_level = level;
  if (m_sink) m_sink->set_irq_level(level);
}

void Pl011::receive(uint8_t byte) {
  m_rx[(m_rx_head + m_rx_count) % kRxFifo] = byte;
  ++m_rx_count;
}

uint32_t Pl011::pop_rx() {
  if (m_rx_count == 0) return 0;
  uint32_t v = m_rx[m_rx_head];
  m_rx_head = (m_rx_head + 1) % kRxFifo;
  --m_rx_count;
  refill();
  return v;
}

void Pl011::refill() {
  while (m_source && m_rx_count < rx_depth()) {
    const int b = m_source->take();
    if (b < 0) break;
    receive(static_cast<uint8_t>(b));
  }
  update_rx_interrupts();
  update_irq_line();
}

size_t Pl011::push_rx(const uint8_t* data, size_t len) {
  size_t n = 0;
  while (n < len && m_rx_count < rx_depth()) receive(data[n++]);
  update_rx_interrupts();
  update_irq_line();
  return n;
}

uint64_t Pl011::read(uint64_t offset, unsigned /*size*/) {
  if (offset >= kPeriphId0 && offset < kSize && (offset & 3) == 0)
    return kIds[(offset - kPeriphId0) / 4];
  switch (offset) {
    case kDr: {
      // The overrun flag travels with the next character read (3.3.1).
      const uint32_t oe = (m_rsr & kRsrOe) ? kDrOe : 0;
      return pop_rx() | oe;
    }
    case kRsr: return m_rsr;
    case kFr: {
      uint32_t fr = kFrTxfe;
      if (m_rx_count == 0) fr |= kFrRxfe;
      if (m_rx_count >= rx_depth()) fr |= kFrRxff;
      return fr;
    }
    case kIlpr: return m_ilpr;
    case kIbrd: return m_ibrd;
    case kFbrd: return m_fbrd;
    case kLcrH: return m_lcr_h;
    case kCr: return m_cr;
    case kIfls: return m_ifls;
    case kImsc: return m_imsc;
    case kRis: return m_ris;
    case kMis: return m_ris & m_imsc;
    case kDmacr: return m_dmacr;
    default: return 0;  // reserved and write-only registers read as zero
  }
}

void Pl011::write(uint64_t offset, unsigned /*size*/, uint64_t value) {
  const auto v = static_cast<uint32_t>(value);
  switch (offset) {
    case kDr: {
      const auto byte = static_cast<uint8_t>(v);
      if (m_cr & kCrLbe) {
        // Loopback (3.3.8): the transmitted byte comes back on receive.
        if (m_rx_count < rx_depth()) {
          receive(byte);
        } else {
          m_rsr |= kRsrOe;
          m_ris |= kIntOe;
        }
        update_rx_interrupts();
      } else if (m_sink) {
        m_sink->put(byte);
      }
      // Sent at once: the transmit FIFO falls below its level again.
      m_ris |= kIntTx;
      break;
    }
    case kRsr: m_rsr = 0; break;  // any write clears the error flags
    case kIlpr: m_ilpr = v & 0xff; break;
    case kIbrd: m_ibrd = v & 0xffff; break;
    case kFbrd: m_fbrd = v & 0x3f; break;
    case kLcrH:
      // Turning the FIFOs off drops nothing already received: those bytes
      // stay readable, and refill() adds more only below the new depth.
      m_lcr_h = v & 0xff;
      refill();
      break;
    case kCr: m_cr = v & 0xffff; break;
    case kIfls:
      m_ifls = v & 0x3f;
      update_rx_interrupts();
      break;
    case kImsc: m_imsc = v & kIntAll; break;
    case kIcr:
      // RX and RX-timeout are level conditions of the FIFO: clearing them
      // while data still waits has no lasting effect (3.3.16).
      m_ris &= ~(v & kIntAll);
      update_rx_interrupts();
      break;
    case kDmacr: m_dmacr = v & 7; break;
    default: break;  // read-only and reserved registers ignore writes
  }
  update_irq_line();
}

}  // namespace nestlab
