#include "vhv/common/frame_codec.h"

namespace nestlab::channel {

size_t encode_frame(FrameType type, const uint8_t* payload, uint16_t len, uint8_t* out,
                    size_t out_len) {
  if (len > kMaxPayload || out_len < kFrameOverhead + len) return 0;
  const auto t = static_cast<uint8_t>(type);
  out[0] = kSync0;
  out[1] = kSync1;
  out[2] = t;
  out[3] = static_cast<uint8_t>(len);
  out[4] = static_cast<uint8_t>(len >> 8);
  for (uint16_t i = 0; i < len; ++i) out[5 + i] = payload[i];
  out[5 + len] = frame_sum(t, len, payload);
  return kFrameOverhead + len;
}

FrameParser::Event FrameParser::push(uint8_t b) {
  switch (m_state) {
    case State::Idle:
      if (b == kSync0) {
        m_state = State::Sync1;
        return Event::None;
      }
      m_raw[0] = b;
      m_raw_len = 1;
      return Event::Raw;
    case State::Sync1:
      if (b == kSync1) {
        m_state = State::Type;
        return Event::None;
      }
      if (b == kSync0) {  // A5 A5: the first one was raw, the second may start a frame
        m_raw[0] = kSync0;
        m_raw_len = 1;
        return Event::Raw;
      }
      m_state = State::Idle;
      m_raw[0] = kSync0;
      m_raw[1] = b;
      m_raw_len = 2;
      return Event::Raw;
    case State::Type:
      m_type = b;
      m_state = State::LenLo;
      return Event::None;
    case State::LenLo:
      m_len = b;
      m_state = State::LenHi;
      return Event::None;
    case State::LenHi:
      m_len = static_cast<uint16_t>(m_len | (b << 8));
      m_got = 0;
      if (m_len > kMaxPayload) {
        m_state = State::Idle;
        return Event::Oversize;
      }
      m_state = m_len ? State::Payload : State::Sum;
      return Event::None;
    case State::Payload:
      m_payload[m_got++] = b;
      if (m_got == m_len) m_state = State::Sum;
      return Event::None;
    case State::Sum:
      m_state = State::Idle;
      return b == frame_sum(m_type, m_len, m_payload) ? Event::Frame : Event::BadSum;
  }
  return Event::None;
}

}  // namespace nestlab::channel
