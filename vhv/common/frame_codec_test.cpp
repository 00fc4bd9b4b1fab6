#include "vhv/common/frame_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nestlab::channel {
namespace {

TEST(FrameCodec, RunVmFrameMatchesTheDocumentedBytes) {
  uint8_t out[16];
  const uint8_t vm_id = 0;
  ASSERT_EQ(encode_frame(FrameType::RunVm, &vm_id, 1, out, sizeof(out)), 7u);
  const uint8_t expected[] = {0xA5, 0x5A, 0x81, 0x01, 0x00, 0x00, 0x82};
  EXPECT_EQ(std::vector<uint8_t>(out, out + 7), std::vector<uint8_t>(expected, expected + 7));
}

TEST(FrameCodec, ParsesFramesBetweenRawText) {
  uint8_t frame[32];
  const uint8_t payload[] = {0, 'h', 'i'};
  size_t n = encode_frame(FrameType::Console, payload, 3, frame, sizeof(frame));
  std::vector<uint8_t> stream = {'o', 'k', 0xA5, 'x'};
  stream.insert(stream.end(), frame, frame + n);
  FrameParser p;
  std::string raw;
  int frames = 0;
  for (uint8_t b : stream) {
    auto ev = p.push(b);
    if (ev == FrameParser::Event::Raw)
      raw.append(reinterpret_cast<const char*>(p.raw()), p.raw_length());
    if (ev == FrameParser::Event::Frame) {
      ++frames;
      EXPECT_EQ(p.type(), FrameType::Console);
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(p.payload()) + 1, p.length() - 1), "hi");
    }
  }
  EXPECT_EQ(frames, 1);
  EXPECT_EQ(raw, std::string("ok\xA5x"));
}

TEST(FrameCodec, RejectsBadChecksumAndOversize) {
  uint8_t frame[16];
  const uint8_t id = 0;
  size_t n = encode_frame(FrameType::StopVm, &id, 1, frame, sizeof(frame));
  frame[n - 1] ^= 1;
  FrameParser p;
  FrameParser::Event last = FrameParser::Event::None;
  for (size_t i = 0; i < n; ++i) last = p.push(frame[i]);
  EXPECT_EQ(last, FrameParser::Event::BadSum);
  const uint8_t big[] = {0xA5, 0x5A, 0x82, 0xff, 0xff};
  for (uint8_t b : big) last = p.push(b);
  EXPECT_EQ(last, FrameParser::Event::Oversize);
  EXPECT_EQ(encode_frame(FrameType::Log, frame, kMaxPayload + 1, frame, sizeof(frame)), 0u);
}

}  // namespace
}  // namespace nestlab::channel
