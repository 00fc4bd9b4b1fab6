// The channel between the lowvisor and the highvisor (vhv/common/frame_codec.h):
// arbitrary UART bytes through the incremental parser, and every frame it
// accepts encoded again and parsed back to the same frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "vhv/common/frame_codec.h"

using nestlab::channel::FrameParser;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FrameParser parser;  // large (kMaxPayload): keep it off the stack
  static FrameParser again;
  static uint8_t encoded[nestlab::channel::kMaxPayload + nestlab::channel::kFrameOverhead];
  parser = FrameParser{};
  for (size_t i = 0; i < size; ++i) {
    const auto event = parser.push(data[i]);
    if (event == FrameParser::Event::Raw && (parser.raw_length() < 1 || parser.raw_length() > 2))
      std::abort();
    if (event != FrameParser::Event::Frame) continue;
    const size_t n = nestlab::channel::encode_frame(parser.type(), parser.payload(),
                                                    parser.length(), encoded, sizeof encoded);
    if (n != parser.length() + nestlab::channel::kFrameOverhead) std::abort();
    again = FrameParser{};
    FrameParser::Event last = FrameParser::Event::None;
    for (size_t k = 0; k < n; ++k) last = again.push(encoded[k]);
    if (last != FrameParser::Event::Frame || again.type() != parser.type() ||
        again.length() != parser.length() ||
        std::memcmp(again.payload(), parser.payload(), parser.length()) != 0)
      std::abort();
  }
  return 0;
}
