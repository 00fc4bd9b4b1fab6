#include "vhv/host/virtio/net_device.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "vhv/common/virtio.h"

namespace nestlab::vhv {
namespace {

using namespace virtio;

std::vector<uint8_t> net_frame_of(size_t len, uint8_t fill = 0xab) {
  std::vector<uint8_t> f(len, fill);
  for (size_t i = 0; i < 6 && i < len; ++i) f[i] = 0xff;  // broadcast destination
  return f;
}

TEST(NetFrames, TxStripsTheHeaderWhateverTheFraming) {
  std::vector<uint8_t> bytes(kNetHeaderBytes + 60);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
  // The header split over two buffers, the frame over two more.
  std::vector<Buffer> chain{
      {bytes.data(), 5, false}, {bytes.data() + 5, 10, false}, {bytes.data() + 15, 57, false}};
  FrameBuffer out;
  auto f = take_tx_frame(chain, out);
  ASSERT_TRUE(f.is_ok());
  ASSERT_EQ(f.value().size(), 60u);
  EXPECT_EQ(f.value()[0], kNetHeaderBytes);
  EXPECT_EQ(f.value()[59], kNetHeaderBytes + 59);
}

TEST(NetFrames, TxRefusesWhatIsNotAFrame) {
  FrameBuffer out;
  std::vector<uint8_t> small(kNetHeaderBytes + 13), header(8), giant(kNetHeaderBytes + 1515);
  EXPECT_EQ(take_tx_frame({{header.data(), 8, false}}, out).error(), NetDrop::NoHeader);
  EXPECT_EQ(take_tx_frame({{small.data(), 25, false}}, out).error(), NetDrop::Runt);
  EXPECT_EQ(
      take_tx_frame({{giant.data(), static_cast<uint32_t>(giant.size()), false}}, out).error(),
      NetDrop::Giant);
  // Writable buffers of a transmit chain are not part of the frame.
  std::vector<uint8_t> ok(kNetHeaderBytes + 14);
  auto f = take_tx_frame({{ok.data(), 26, false}, {giant.data(), 1000, true}}, out);
  ASSERT_TRUE(f.is_ok());
  EXPECT_EQ(f.value().size(), 14u);
  std::vector<uint8_t> max(kNetHeaderBytes + 1514);
  EXPECT_TRUE(take_tx_frame({{max.data(), static_cast<uint32_t>(max.size()), false}}, out).is_ok());
}

TEST(NetFrames, RxWritesHeaderWithOneBufferAndTheFrame) {
  std::vector<uint8_t> a(7, 0xee), b(100, 0xee);
  std::vector<Buffer> chain{{a.data(), 7, true}, {b.data(), 100, true}};
  auto f = net_frame_of(60);
  auto put = put_rx_frame(chain, f);
  ASSERT_TRUE(put.is_ok());
  EXPECT_EQ(put.value(), kNetHeaderBytes + 60);
  for (uint8_t x : a) EXPECT_EQ(x, 0);  // flags, gso_type, hdr_len, part of gso_size
  EXPECT_EQ(b[0], 0);
  EXPECT_EQ(b[10 - 7], 1);  // num_buffers (le16) = 1
  EXPECT_EQ(b[11 - 7], 0);
  EXPECT_EQ(std::memcmp(b.data() + 5, f.data(), 60), 0);
  EXPECT_EQ(b[65], 0xee);  // not a byte past the frame
  EXPECT_EQ(put_rx_frame({{b.data(), 60, true}}, f).error(), NetDrop::NoRoom);
}

// A guest RAM with a receive and a transmit queue of 8 entries.
struct NetGuest {
  static constexpr uint64_t kIpa = 0x4000'0000, kSize = 64 * 1024;
  std::vector<uint8_t> ram = std::vector<uint8_t>(kSize);
  GuestRamView view{ram.data(), kIpa, kSize};
  uint8_t* at(uint64_t ipa) { return ram.data() + (ipa - kIpa); }
  static uint64_t base(uint16_t q) { return kIpa + 0x1000 * q; }
  channel::VirtioNotifyPayload doorbell(uint16_t q, uint32_t generation = 1) {
    channel::VirtioNotifyPayload d{};
    d.vm_id = 2;
    d.transport = 30;
    d.queue = q;
    d.generation = generation;
    d.device_type = static_cast<uint32_t>(DeviceType::Net);
    d.queue_size = 8;
    d.desc = base(q);
    d.driver = base(q) + 0x100;
    d.device = base(q) + 0x200;
    return d;
  }
  // Descriptor i of queue q is one buffer at 0x8000 + 0x800 * (q * 8 + i).
  uint64_t buffer(uint16_t q, unsigned i) { return kIpa + 0x4000 + 0x600 * (q * 8 + i); }
  void post(uint16_t q, unsigned i, uint32_t len, bool writable) {
    uint8_t* d = at(base(q) + 16 * i);
    uint64_t addr = buffer(q, i);
    uint16_t flags = writable ? kDescWrite : 0, next = 0;
    std::memcpy(d, &addr, 8);
    std::memcpy(d + 8, &len, 4);
    std::memcpy(d + 12, &flags, 2);
    std::memcpy(d + 14, &next, 2);
    uint8_t* avail = at(base(q) + 0x100);
    uint16_t idx;
    std::memcpy(&idx, avail + 2, 2);
    uint16_t head = static_cast<uint16_t>(i);
    std::memcpy(avail + 4 + 2 * (idx % 8), &head, 2);
    ++idx;
    std::memcpy(avail + 2, &idx, 2);
  }
  uint16_t used_idx(uint16_t q) {
    uint16_t v;
    std::memcpy(&v, at(base(q) + 0x202), 2);
    return v;
  }
};

struct NetPort {
  int fds[2];
  NetPort() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0); }
  ~NetPort() { ::close(fds[1]); }
  UniqueFd device_end() { return UniqueFd(fds[0]); }
};

TEST(NetDevice, TransmitSendsTheFrameWithoutItsHeader) {
  NetGuest g;
  NetPort p;
  NetDevice net(p.device_end(), derive_mac(1, 0));
  auto f = net_frame_of(64);
  std::memcpy(g.at(g.buffer(1, 0)) + kNetHeaderBytes, f.data(), f.size());
  g.post(1, 0, kNetHeaderBytes + 64, false);
  auto a = net.on_doorbell(g.view, g.doorbell(kNetQueueTx));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->interrupt.kind, channel::VirtioInterruptKind::UsedBuffer);
  EXPECT_EQ(a->interrupt.transport, 30);
  uint8_t got[2000];
  EXPECT_EQ(::recv(p.fds[1], got, sizeof got, MSG_DONTWAIT), 64);
  EXPECT_EQ(std::memcmp(got, f.data(), 64), 0);
  EXPECT_EQ(g.used_idx(kNetQueueTx), 1);
  EXPECT_EQ(net.counters().tx_frames, 1u);
}

TEST(NetDevice, ReceivedFramesWaitForBuffersThenFillThem) {
  NetGuest g;
  NetPort p;
  NetDevice net(p.device_end(), derive_mac(1, 0));
  auto f = net_frame_of(100, 0x5a);
  ASSERT_EQ(::send(p.fds[1], f.data(), f.size(), 0), 100);
  // No receive rings yet: the frame waits.
  EXPECT_FALSE(net.on_port_readable(g.view).has_value());
  EXPECT_EQ(net.backlog(), 1u);
  g.post(kNetQueueRx, 0, 1526, true);
  auto a = net.on_doorbell(g.view, g.doorbell(kNetQueueRx));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->interrupt.kind, channel::VirtioInterruptKind::UsedBuffer);
  EXPECT_EQ(g.used_idx(kNetQueueRx), 1);
  EXPECT_EQ(std::memcmp(g.at(g.buffer(0, 0)) + kNetHeaderBytes, f.data(), 100), 0);
  EXPECT_EQ(net.backlog(), 0u);
  // Another frame goes straight into the next buffer; a buffer is taken
  // only for a frame.
  g.post(kNetQueueRx, 1, 1526, true);
  g.post(kNetQueueRx, 2, 1526, true);
  EXPECT_FALSE(net.on_doorbell(g.view, g.doorbell(kNetQueueRx)).has_value());
  ASSERT_EQ(::send(p.fds[1], f.data(), f.size(), 0), 100);
  EXPECT_TRUE(net.on_port_readable(g.view).has_value());
  EXPECT_EQ(g.used_idx(kNetQueueRx), 2);
  EXPECT_EQ(net.counters().rx_frames, 2u);
}

TEST(NetDevice, BacklogIsBoundedAndAResetForgetsIt) {
  NetGuest g;
  NetPort p;
  NetDevice net(p.device_end(), derive_mac(1, 0));
  int sndbuf = 1 << 20;
  ::setsockopt(p.fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  auto f = net_frame_of(60);
  for (size_t i = 0; i < NetDevice::kBacklog + 10; ++i)
    ASSERT_EQ(::send(p.fds[1], f.data(), f.size(), 0), 60);
  net.on_port_readable(g.view);
  net.on_port_readable(g.view);
  EXPECT_EQ(net.backlog(), NetDevice::kBacklog);
  EXPECT_EQ(net.counters().rx_dropped, 10u);
  net.on_doorbell(g.view, g.doorbell(kNotifyReset, 2));
  EXPECT_EQ(net.backlog(), 0u);
}

TEST(NetDevice, RuntsAndGiantsFromThePortAreDropped) {
  NetGuest g;
  NetPort p;
  NetDevice net(p.device_end(), derive_mac(1, 0));
  std::vector<uint8_t> runt(13), giant(1515);
  ASSERT_EQ(::send(p.fds[1], runt.data(), runt.size(), 0), 13);
  ASSERT_EQ(::send(p.fds[1], giant.data(), giant.size(), 0), 1515);
  net.on_port_readable(g.view);
  EXPECT_EQ(net.backlog(), 0u);
  EXPECT_EQ(net.counters().rx_dropped, 2u);
}

TEST(NetDevice, AClosedPortIsALinkDown) {
  NetGuest g;
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds), 0);
  NetDevice net(UniqueFd(fds[0]), derive_mac(1, 0));
  ::close(fds[1]);
  net.on_port_readable(g.view);
  EXPECT_EQ(net.port_fd(), -1);
  g.post(1, 0, kNetHeaderBytes + 64, false);
  net.on_doorbell(g.view, g.doorbell(kNetQueueTx));
  EXPECT_EQ(net.counters().tx_dropped, 1u);
  EXPECT_EQ(g.used_idx(kNetQueueTx), 1);  // the guest gets its buffer back
}

}  // namespace
}  // namespace nestlab::vhv
