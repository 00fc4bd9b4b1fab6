#include "vhv/host/frame_codec.h"

namespace nestlab::vhv {

std::string encode_frame(channel::FrameType type, const void* payload, uint16_t len) {
  std::string out(channel::kFrameOverhead + len, '\0');
  size_t n = channel::encode_frame(type, static_cast<const uint8_t*>(payload), len,
                                   reinterpret_cast<uint8_t*>(out.data()), out.size());
  out.resize(n);
  return out;
}

void FrameDecoder::feed(const uint8_t* data, size_t len, std::vector<Frame>& frames,
                        std::string& raw) {
  using Event = channel::FrameParser::Event;
  for (size_t i = 0; i < len; ++i) {
    switch (m_parser.push(data[i])) {
      case Event::None: break;
      case Event::Frame:
        frames.push_back(Frame{
            m_parser.type(),
            std::vector<uint8_t>(m_parser.payload(), m_parser.payload() + m_parser.length())});
        break;
      case Event::Raw:
        raw.append(reinterpret_cast<const char*>(m_parser.raw()), m_parser.raw_length());
        break;
      case Event::BadSum:
      case Event::Oversize: ++m_bad_frames; break;
    }
  }
}

}  // namespace nestlab::vhv
