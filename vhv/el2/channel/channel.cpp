#include "vhv/el2/channel/channel.h"

#include "vhv/common/format.h"
#include "vhv/el2/channel/uart.h"

namespace nestlab {
namespace {
channel::FrameParser g_parser;
uint8_t g_tx[channel::kMaxPayload + channel::kFrameOverhead];
}  // namespace

void Channel::send(channel::FrameType type, const void* payload, size_t len) {
  send2(type, payload, len, nullptr, 0);
}

void Channel::send2(channel::FrameType type, const void* prefix, size_t prefix_len,
                    const void* text, size_t text_len) {
  if (prefix_len > channel::kMaxPayload) prefix_len = channel::kMaxPayload;
  if (text_len > channel::kMaxPayload - prefix_len) text_len = channel::kMaxPayload - prefix_len;
  uint8_t payload[channel::kMaxPayload];
  const auto* a = static_cast<const uint8_t*>(prefix);
  const auto* b = static_cast<const uint8_t*>(text);
  for (size_t i = 0; i < prefix_len; ++i) payload[i] = a[i];
  for (size_t i = 0; i < text_len; ++i) payload[prefix_len + i] = b[i];
  const size_t n = channel::encode_frame(
      type, payload, static_cast<uint16_t>(prefix_len + text_len), g_tx, sizeof(g_tx));
  VhvUart::write_raw(g_tx, n);
}

void Channel::log(const char* fmt, ...) {
  char text[256];
  va_list args;
  va_start(args, fmt);
  size_t n = vformat(text, sizeof(text), fmt, args);
  va_end(args);
  send(channel::FrameType::Log, text, n);
}

void Channel::drain(FrameListener& listener) {
  for (int b = VhvUart::read_byte(); b >= 0; b = VhvUart::read_byte()) {
    using Event = channel::FrameParser::Event;
    switch (g_parser.push(static_cast<uint8_t>(b))) {
      case Event::Frame:
        listener.on_frame(g_parser.type(), g_parser.payload(), g_parser.length());
        break;
      case Event::BadSum: log("channel: dropped a frame with a bad checksum"); break;
      case Event::Oversize:
        log("channel: dropped a frame header announcing more than %u bytes",
            unsigned(channel::kMaxPayload));
        break;
      case Event::Raw:  // stray bytes from the host side: nothing to do with them
      case Event::None: break;
    }
  }
}

}  // namespace nestlab
