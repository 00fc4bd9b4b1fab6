#include "vhv/common/pl011.h"

namespace nestlab {
namespace {
// PrimeCell identification registers as QEMU's pl011 reports them (0xfe0..0xffc).
constexpr uint8_t kIds[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
}  // namespace

Pl011::Pl011(ConsoleSink* sink) : m_sink(sink) { update_ris(); }

void Pl011::update_ris() {
  // TX is always below its trigger level (we transmit instantly); RX raises
  // its interrupt while data waits (no FIFO-level timing is modelled).
  m_ris = (m_ris & ~(kIntRx | kIntTx)) | kIntTx | (m_rx_count ? kIntRx : 0);
}

uint8_t Pl011::pop_rx() {
  if (m_rx_count == 0) return 0;
  uint8_t b = m_rx[m_rx_head];
  m_rx_head = (m_rx_head + 1) % kRxFifo;
  --m_rx_count;
  update_ris();
  return b;
}

size_t Pl011::push_rx(const uint8_t* data, size_t len) {
  size_t n = 0;
  while (n < len && m_rx_count < kRxFifo) {
    m_rx[(m_rx_head + m_rx_count) % kRxFifo] = data[n++];
    ++m_rx_count;
  }
  update_ris();
  return n;
}

uint64_t Pl011::read(uint64_t offset, unsigned /*size*/) {
  if (offset >= kPeriphId0 && offset < kSize && (offset & 3) == 0)
    return kIds[(offset - kPeriphId0) / 4];
  switch (offset) {
    case kDr: return pop_rx();
    case kRsr: return m_rsr;
    case kFr: {
      uint32_t fr = kFrTxfe;
      if (m_rx_count == 0) fr |= kFrRxfe;
      if (m_rx_count == kRxFifo) fr |= kFrRxff;
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
    case kDr:
      if (m_sink) m_sink->put(static_cast<uint8_t>(v));
      break;
    case kRsr: m_rsr = 0; break;  // any write clears the error flags
    case kIlpr: m_ilpr = v & 0xff; break;
    case kIbrd: m_ibrd = v & 0xffff; break;
    case kFbrd: m_fbrd = v & 0x3f; break;
    case kLcrH: m_lcr_h = v & 0xff; break;
    case kCr: m_cr = v & 0xffff; break;
    case kIfls: m_ifls = v & 0x3f; break;
    case kImsc: m_imsc = v & 0x7ff; break;
    case kIcr:
      m_ris &= ~v;
      update_ris();
      break;
    case kDmacr: m_dmacr = v & 7; break;
    default: break;  // read-only and reserved registers ignore writes
  }
}

Pl011::Snapshot Pl011::save() const {
  Snapshot s{};
  s.version = Snapshot::kVersion;
  s.ibrd = m_ibrd;
  s.fbrd = m_fbrd;
  s.lcr_h = m_lcr_h;
  s.cr = m_cr;
  s.ifls = m_ifls;
  s.imsc = m_imsc;
  s.ris = m_ris;
  s.dmacr = m_dmacr;
  s.ilpr = m_ilpr;
  s.rsr = m_rsr;
  s.rx_count = static_cast<uint32_t>(m_rx_count);
  for (size_t i = 0; i < m_rx_count; ++i) s.rx[i] = m_rx[(m_rx_head + i) % kRxFifo];
  return s;
}

Result<Pl011, SnapshotError> Pl011::restore(const Snapshot& s, ConsoleSink* sink) {
  if (s.version != Snapshot::kVersion) return Err{SnapshotError::WrongVersion};
  if (s.rx_count > kRxFifo) return Err{SnapshotError::Corrupt};
  Pl011 dev(sink);
  dev.m_ibrd = s.ibrd;
  dev.m_fbrd = s.fbrd;
  dev.m_lcr_h = s.lcr_h;
  dev.m_cr = s.cr;
  dev.m_ifls = s.ifls;
  dev.m_imsc = s.imsc;
  dev.m_dmacr = s.dmacr;
  dev.m_ilpr = s.ilpr;
  dev.m_rsr = s.rsr;
  dev.m_rx_count = s.rx_count;
  for (size_t i = 0; i < s.rx_count; ++i) dev.m_rx[i] = s.rx[i];
  dev.m_ris = s.ris;
  dev.update_ris();
  return dev;
}

}  // namespace nestlab
