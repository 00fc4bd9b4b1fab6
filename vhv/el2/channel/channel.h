// Frames to and from the highvisor over the VHV UART (vhv/common/channel.h).
// Transmit is synchronous; receive is parsed incrementally from whatever the
// UART holds when drain() is called (idle loop or the IRQ exit path).
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/channel.h"
#include "vhv/common/frame_codec.h"

namespace nestlab {

class FrameListener {
 public:
  virtual void on_frame(channel::FrameType type, const uint8_t* payload, uint16_t len) = 0;

 protected:
  FrameListener() = default;
  ~FrameListener() = default;
};

class Channel {
 public:
  static void send(channel::FrameType type, const void* payload, size_t len);
  // Payload = prefix bytes then text, in one frame (Console, RunFailed, VmExit).
  static void send2(channel::FrameType type, const void* prefix, size_t prefix_len,
                    const void* text, size_t text_len);
  static void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
  // Feeds every received byte to the parser; complete frames go to `listener`.
  static void drain(FrameListener& listener);
};

}  // namespace nestlab
