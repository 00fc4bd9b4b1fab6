// Encoding and incremental parsing of channel frames (channel.h):
//   0xA5 0x5A type len_lo len_hi payload[len] sum
// Used by the lowvisor on both directions of its UART and usable by the
// highvisor. Bytes outside frames are reported as raw bytes (lowvisor text).
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/channel.h"

namespace nestlab::channel {

inline constexpr size_t kFrameOverhead = 6;

// Writes the whole frame to out; returns its size, or 0 if out is too small
// or len exceeds kMaxPayload.
size_t encode_frame(FrameType type, const uint8_t* payload, uint16_t len, uint8_t* out,
                    size_t out_len);

class FrameParser {
 public:
  enum class Event : uint8_t {
    None,      // byte consumed, nothing complete yet
    Frame,     // type()/payload()/length() describe a complete, valid frame
    Raw,       // raw() holds 1 or 2 bytes that were not part of a frame
    BadSum,    // a frame arrived with a wrong checksum and was dropped
    Oversize,  // a header announced more than kMaxPayload; resynchronising
  };

  Event push(uint8_t byte);

  FrameType type() const { return static_cast<FrameType>(m_type); }
  const uint8_t* payload() const { return m_payload; }
  uint16_t length() const { return m_len; }
  const uint8_t* raw() const { return m_raw; }
  size_t raw_length() const { return m_raw_len; }

 private:
  enum class State : uint8_t { Idle, Sync1, Type, LenLo, LenHi, Payload, Sum };
  State m_state = State::Idle;
  uint8_t m_type = 0;
  uint16_t m_len = 0;
  uint16_t m_got = 0;
  uint8_t m_raw[2] = {};
  size_t m_raw_len = 0;
  uint8_t m_payload[kMaxPayload] = {};
};

}  // namespace nestlab::channel
