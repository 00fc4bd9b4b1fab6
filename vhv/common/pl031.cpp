#include "vhv/common/pl031.h"

namespace nestlab {
namespace {

constexpr uint64_t kRtcNsPerS = 1'000'000'000;
// PrimeCell identification registers (DDI 0224B 3.3.10-3.3.17), as QEMU's
// pl031 and kvm-unit-tests expect them.
constexpr uint8_t kRtcIds[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

}  // namespace

uint64_t Pl031::now_s() const { return m_backend ? m_backend->now_ns() / kRtcNsPerS : 0; }

void Pl031::tell_alarm() const {
  if (!m_backend) return;
  // Seconds past the year 2554 do not fit in nanoseconds: never, then.
  constexpr uint64_t kLastS = ~0ull / kRtcNsPerS;
  m_backend->set_alarm(m_alarm_s > kLastS ? ~0ull : m_alarm_s * kRtcNsPerS);
}

void Pl031::update_irq_line() {
  const bool level = irq_pending();
  if (level == m_irq_level) return;
  m_irq_level = level;
  if (m_backend) m_backend->set_irq_level(level);
}

void Pl031::sync() {
  if (m_alarm_s == 0 || now_s() < m_alarm_s) return;
  // The counter reached RTCMR: RTCRIS latches until RTCICR (3.3.6).
  m_alarm_s = 0;
  m_ris |= kIntMatch;
  tell_alarm();
  update_irq_line();
}

void Pl031::arm() {
  const uint64_t s = now_s();
  // Wraps as the counter does: a match below the counter lies 2^32 s on.
  const uint32_t ahead = m_mr - counter(s);
  if (ahead == 0) {
    m_alarm_s = 0;
    m_ris |= kIntMatch;
  } else {
    m_alarm_s = s + ahead;
  }
  tell_alarm();
  update_irq_line();
}

uint32_t Pl031::reg(uint64_t offset) {
  if (offset >= kPeriphId0 && offset < kSize) return kRtcIds[(offset - kPeriphId0) / 4];
  switch (offset) {
    case kDr: return count();
    case kMr: return m_mr;
    case kLr: return m_lr;
    case kCr: return 1;  // RTCStart: always running
    case kImsc: return m_imsc;
    case kRis: return m_ris;
    case kMis: return m_ris & m_imsc;
    default: return 0;  // RTCICR is write-only; the rest is reserved
  }
}

uint64_t Pl031::read(uint64_t offset, unsigned size) {
  sync();
  // Narrow reads see the addressed bytes of their word.
  const uint64_t word = reg(offset & ~uint64_t(3)) >> (8 * (offset & 3));
  return size >= 4 ? word : word & ((1ull << (8 * size)) - 1);
}

void Pl031::write(uint64_t offset, unsigned size, uint64_t value) {
  sync();
  if (offset & 3) return;  // no register takes a write into its middle
  const uint32_t v = size >= 4 ? static_cast<uint32_t>(value)
                               : static_cast<uint32_t>(value & ((1ull << (8 * size)) - 1));
  switch (offset) {
    case kMr:
      m_mr = v;
      arm();
      break;
    case kLr:
      // The counter continues from the loaded value (3.3.3).
      m_lr = v;
      m_offset += v - count();
      arm();
      break;
    case kImsc:
      m_imsc = v & kIntMatch;
      update_irq_line();
      break;
    case kIcr:
      m_ris &= ~(v & kIntMatch);
      update_irq_line();
      break;
    default: break;  // RTCDR, RTCCR, RTCRIS, RTCMIS, the IDs: read-only
  }
}

}  // namespace nestlab
