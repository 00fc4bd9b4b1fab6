#include "vhv/host/virtio/split_queue.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "vhv/common/virtio.h"
#include "vhv/host/virtio/entropy_device.h"

namespace nestlab::vhv {
namespace {

using namespace virtio;

// A 64 KiB guest RAM at IPA 0x4000_0000 with an 8-entry queue in its first
// page and buffers from 0x8000 on.
struct Guest {
  static constexpr uint64_t kIpa = 0x4000'0000, kSize = 64 * 1024;
  static constexpr uint64_t kDesc = kIpa, kAvail = kIpa + 0x100, kUsed = kIpa + 0x200;
  std::vector<uint8_t> ram = std::vector<uint8_t>(kSize);
  GuestRamView view{ram.data(), kIpa, kSize};
  SplitQueueConfig q{8, kDesc, kAvail, kUsed};

  uint8_t* at(uint64_t ipa) { return ram.data() + (ipa - kIpa); }
  void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) {
    uint8_t* d = at(kDesc + 16 * i);
    std::memcpy(d, &addr, 8);
    std::memcpy(d + 8, &len, 4);
    std::memcpy(d + 12, &flags, 2);
    std::memcpy(d + 14, &next, 2);
  }
  void post(uint16_t head) {
    uint16_t idx;
    std::memcpy(&idx, at(kAvail + 2), 2);
    std::memcpy(at(kAvail + 4 + 2 * (idx % q.size)), &head, 2);
    ++idx;
    std::memcpy(at(kAvail + 2), &idx, 2);
  }
  uint16_t used_idx() {
    uint16_t v;
    std::memcpy(&v, at(kUsed + 2), 2);
    return v;
  }
  uint32_t used_len(unsigned slot) {
    uint32_t v;
    std::memcpy(&v, at(kUsed + 4 + 8 * slot + 4), 4);
    return v;
  }
};

class Recorder final : public ChainHandler {
 public:
  Result<uint32_t, QueueFault> serve(const std::vector<Buffer>& chain) override {
    chains.push_back(chain);
    return 7u;
  }
  std::vector<std::vector<Buffer>> chains;
};

TEST(SplitQueue, EntropyFillsTheWritableBufferAndReportsItsLength) {
  Guest g;
  g.desc(0, Guest::kIpa + 0x8000, 64, kDescWrite);
  g.post(0);
  EntropyDevice rng;
  auto r = serve_split_queue(g.view, g.q, rng);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r.value().chains, 1u);
  EXPECT_TRUE(r.value().interrupt);
  EXPECT_EQ(g.used_idx(), 1u);
  EXPECT_EQ(g.used_len(0), 64u);
  const uint8_t* b = g.at(Guest::kIpa + 0x8000);
  bool all_equal = true;
  for (int i = 1; i < 64; ++i) all_equal = all_equal && b[i] == b[0];
  EXPECT_FALSE(all_equal);
  EXPECT_EQ(g.at(Guest::kIpa + 0x8000)[64], 0);  // not a byte past the buffer
}

TEST(SplitQueue, ServesOnlyWhatIsNewAndHonoursNoInterrupt) {
  Guest g;
  Recorder rec;
  g.desc(0, Guest::kIpa + 0x8000, 16, kDescWrite);
  g.post(0);
  ASSERT_TRUE(serve_split_queue(g.view, g.q, rec).is_ok());
  auto again = serve_split_queue(g.view, g.q, rec);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again.value().chains, 0u);
  EXPECT_FALSE(again.value().interrupt);
  const uint16_t no_interrupt = kAvailNoInterrupt;
  std::memcpy(g.at(Guest::kAvail), &no_interrupt, 2);
  g.post(0);
  auto quiet = serve_split_queue(g.view, g.q, rec);
  ASSERT_TRUE(quiet.is_ok());
  EXPECT_EQ(quiet.value().chains, 1u);
  EXPECT_FALSE(quiet.value().interrupt);
  EXPECT_EQ(rec.chains.size(), 2u);
}

TEST(SplitQueue, AChainIsReadableBuffersThenWritableOnes) {
  Guest g;
  Recorder rec;
  g.desc(3, Guest::kIpa + 0x8000, 8, kDescNext, 5);
  g.desc(5, Guest::kIpa + 0x9000, 32, kDescWrite | kDescNext, 1);
  g.desc(1, Guest::kIpa + 0xa000, 32, kDescWrite);
  g.post(3);
  ASSERT_TRUE(serve_split_queue(g.view, g.q, rec).is_ok());
  ASSERT_EQ(rec.chains.size(), 1u);
  ASSERT_EQ(rec.chains[0].size(), 3u);
  EXPECT_FALSE(rec.chains[0][0].device_writable);
  EXPECT_TRUE(rec.chains[0][2].device_writable);
  EXPECT_EQ(g.used_len(0), 7u);
}

QueueFault fault_of(Guest& g) {
  Recorder rec;
  auto r = serve_split_queue(g.view, g.q, rec);
  EXPECT_TRUE(r.is_error());
  return r.is_error() ? r.error() : QueueFault::BadSize;
}

TEST(SplitQueue, ALoopIsRefused) {
  Guest g;
  g.desc(0, Guest::kIpa + 0x8000, 8, kDescWrite | kDescNext, 1);
  g.desc(1, Guest::kIpa + 0x8000, 8, kDescWrite | kDescNext, 0);
  g.post(0);
  EXPECT_EQ(fault_of(g), QueueFault::ChainTooLong);
}

TEST(SplitQueue, BuffersAndRingsOutsideRamAreRefused) {
  Guest g;
  g.desc(0, Guest::kIpa + Guest::kSize - 8, 9, kDescWrite);  // one byte past the end
  g.post(0);
  EXPECT_EQ(fault_of(g), QueueFault::BufferOutsideRam);
  g.desc(0, 0xffff'ffff'ffff'fff0ull, 0x20, kDescWrite);  // wraps around
  EXPECT_EQ(fault_of(g), QueueFault::BufferOutsideRam);
  g.desc(0, 0x0900'0000, 8, kDescWrite);  // a device, not RAM
  EXPECT_EQ(fault_of(g), QueueFault::BufferOutsideRam);
  Guest h;
  h.q.device = Guest::kIpa + Guest::kSize - 8;
  EXPECT_EQ(fault_of(h), QueueFault::RingOutsideRam);
  h.q.device = Guest::kUsed + 2;
  EXPECT_EQ(fault_of(h), QueueFault::RingMisaligned);
}

TEST(SplitQueue, IndicesTheGuestMakesUpAreRefused) {
  Guest g;
  g.desc(0, Guest::kIpa + 0x8000, 8, kDescWrite);
  const uint16_t far = 9;  // more than 8 entries available
  std::memcpy(g.at(Guest::kAvail + 2), &far, 2);
  EXPECT_EQ(fault_of(g), QueueFault::AvailTooFarAhead);
  Guest h;
  h.post(8);
  EXPECT_EQ(fault_of(h), QueueFault::HeadOutOfRange);
  Guest i;
  i.desc(0, Guest::kIpa + 0x8000, 8, kDescWrite | kDescNext, 200);
  i.post(0);
  EXPECT_EQ(fault_of(i), QueueFault::NextOutOfRange);
}

TEST(SplitQueue, EmptyIndirectAndMisorderedBuffersAreRefused) {
  Guest g;
  g.desc(0, Guest::kIpa + 0x8000, 0, kDescWrite);
  g.post(0);
  EXPECT_EQ(fault_of(g), QueueFault::EmptyBuffer);
  g.desc(0, Guest::kIpa + 0x8000, 16, kDescIndirect);
  EXPECT_EQ(fault_of(g), QueueFault::Indirect);
  g.desc(0, Guest::kIpa + 0x8000, 16, kDescWrite | kDescNext, 1);
  g.desc(1, Guest::kIpa + 0x9000, 16, 0);
  EXPECT_EQ(fault_of(g), QueueFault::ReadableAfterWrite);
}

TEST(SplitQueue, ChainsBeforeABadOneStayServed) {
  Guest g;
  g.desc(0, Guest::kIpa + 0x8000, 8, kDescWrite);
  g.desc(1, Guest::kIpa + 0x8000, 0, kDescWrite);
  g.post(0);
  g.post(1);
  EXPECT_EQ(fault_of(g), QueueFault::EmptyBuffer);
  EXPECT_EQ(g.used_idx(), 1u);
}

TEST(SplitQueue, EntropyGivesAChainAtMostItsLimit) {
  Guest g;
  g.desc(0, Guest::kIpa + 0x1000, 60 * 1024, kDescWrite | kDescNext, 1);
  g.desc(1, Guest::kIpa + 0x1000, 60 * 1024, kDescWrite);
  g.post(0);
  EntropyDevice rng;
  ASSERT_TRUE(serve_split_queue(g.view, g.q, rng).is_ok());
  EXPECT_EQ(g.used_len(0), EntropyDevice::kMaxPerChain);
}

}  // namespace
}  // namespace nestlab::vhv
