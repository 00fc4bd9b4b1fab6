// Host conveniences over the shared frame parser (vhv/common/frame_codec.h):
// whole frames as owned vectors, raw lowvisor text collected in a string.
// Raw text is what the lowvisor prints before its channel is up or when it
// panics; it is kept, never dropped, so a crash is explained.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vhv/common/frame_codec.h"

namespace nestlab::vhv {

std::string encode_frame(channel::FrameType type, const void* payload, uint16_t len);

struct Frame {
  channel::FrameType type;
  std::vector<uint8_t> payload;
};

class FrameDecoder {
 public:
  // Feeds bytes; complete frames are appended to `frames`, bytes outside
  // frames to `raw`. Frames with a bad checksum or length are counted and dropped.
  void feed(const uint8_t* data, size_t len, std::vector<Frame>& frames, std::string& raw);
  uint64_t bad_frames() const { return m_bad_frames; }

 private:
  channel::FrameParser m_parser;
  uint64_t m_bad_frames = 0;
};

}  // namespace nestlab::vhv
