#include "vhv/host/frame_codec.h"

#include <gtest/gtest.h>

namespace nestlab::vhv {
namespace {

using channel::FrameType;

TEST(FrameCodec, RoundTripsAFrameBetweenRawText) {
  std::string stream = "boot text\n";
  const char payload[] = "\x00hello";
  stream += encode_frame(FrameType::Console, payload, 6);
  stream += "tail";
  FrameDecoder d;
  std::vector<Frame> frames;
  std::string raw;
  d.feed(reinterpret_cast<const uint8_t*>(stream.data()), stream.size(), frames, raw);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type, FrameType::Console);
  EXPECT_EQ(std::string(frames[0].payload.begin() + 1, frames[0].payload.end()), "hello");
  EXPECT_EQ(raw, "boot text\ntail");
  EXPECT_EQ(d.bad_frames(), 0u);
}

TEST(FrameCodec, DecodesAcrossArbitrarySplits) {
  std::string stream =
      encode_frame(FrameType::Log, "abc", 3) + encode_frame(FrameType::Ready, "", 0);
  for (size_t split = 0; split <= stream.size(); ++split) {
    FrameDecoder d;
    std::vector<Frame> frames;
    std::string raw;
    d.feed(reinterpret_cast<const uint8_t*>(stream.data()), split, frames, raw);
    d.feed(reinterpret_cast<const uint8_t*>(stream.data()) + split, stream.size() - split, frames,
           raw);
    ASSERT_EQ(frames.size(), 2u) << "split at " << split;
    EXPECT_EQ(frames[1].type, FrameType::Ready);
    EXPECT_TRUE(raw.empty());
  }
}

TEST(FrameCodec, DropsAFrameWithABadChecksum) {
  std::string f = encode_frame(FrameType::Log, "abc", 3);
  f.back() = static_cast<char>(f.back() + 1);
  FrameDecoder d;
  std::vector<Frame> frames;
  std::string raw;
  d.feed(reinterpret_cast<const uint8_t*>(f.data()), f.size(), frames, raw);
  EXPECT_TRUE(frames.empty());
  EXPECT_EQ(d.bad_frames(), 1u);
}

TEST(FrameCodec, KeepsASyncByteThatStartsNoFrame) {
  std::string s =
      "a\xA5"
      "b";
  FrameDecoder d;
  std::vector<Frame> frames;
  std::string raw;
  d.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size(), frames, raw);
  EXPECT_EQ(raw, s);
}

TEST(FrameCodec, RefusesAnOversizedLength) {
  const uint8_t bad[] = {0xA5, 0x5A, 0x02, 0xff, 0xff};
  FrameDecoder d;
  std::vector<Frame> frames;
  std::string raw;
  d.feed(bad, sizeof bad, frames, raw);
  EXPECT_EQ(d.bad_frames(), 1u);
  EXPECT_TRUE(frames.empty());
}

}  // namespace
}  // namespace nestlab::vhv
