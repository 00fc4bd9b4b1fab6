#include "kernel/net_registry.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <vector>

namespace nestlab::kernel {
namespace {

std::vector<uint8_t> broadcast_from(uint8_t src) {
  std::vector<uint8_t> f(60, 0);
  for (int i = 0; i < 6; ++i) f[i] = 0xff;
  f[6] = 0x02;
  f[11] = src;
  return f;
}

// What arrives at a highvisor's end within a short wait; -1 for nothing.
ssize_t received(const UniqueFd& fd) {
  pollfd p{fd.get(), POLLIN, 0};
  if (::poll(&p, 1, 200) != 1) return -1;
  uint8_t buf[2000];
  return ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
}

struct Kernel {
  boost::asio::io_context io;
  Limits limits;
  NetRegistry nets{io, limits};
  void run() {
    io.restart();
    for (int i = 0; i < 20; ++i) io.poll();
  }
};

TEST(NetRegistry, VmsOfOneOwnerOnOneNameShareANetworkOthersDoNot) {
  Kernel k;
  auto a = k.nets.join(1000, "lab0", "vhv-1");
  auto b = k.nets.join(1000, "lab0", "vhv-2");
  auto other_owner = k.nets.join(1001, "lab0", "vhv-3");
  auto other_name = k.nets.join(1000, "lab1", "vhv-1");
  ASSERT_TRUE(a.is_ok() && b.is_ok() && other_owner.is_ok() && other_name.is_ok());
  EXPECT_EQ(k.nets.port_count(1000, "lab0"), 2u);
  EXPECT_EQ(k.nets.network_count(1000), 2u);
  auto f = broadcast_from(1);
  ASSERT_EQ(::send(a.value().highvisor_end.get(), f.data(), f.size(), 0), 60);
  k.run();
  EXPECT_EQ(received(b.value().highvisor_end), 60);
  EXPECT_EQ(received(other_owner.value().highvisor_end), -1);
  EXPECT_EQ(received(other_name.value().highvisor_end), -1);
  EXPECT_EQ(received(a.value().highvisor_end), -1);  // no echo
  // Each VHV's key differs, so the MACs do.
  EXPECT_NE(a.value().mac_key, b.value().mac_key);
  EXPECT_NE(a.value().mac_key, other_owner.value().mac_key);
}

TEST(NetRegistry, ANetworkGoesWithItsLastPort) {
  Kernel k;
  auto a = k.nets.join(1000, "lab0", "vhv-1");
  ASSERT_TRUE(a.is_ok());
  a.value().claim.reset();
  EXPECT_EQ(k.nets.network_count(1000), 0u);
  // The highvisor sees its port close.
  EXPECT_EQ(received(a.value().highvisor_end), 0);
}

TEST(NetRegistry, BoundsAndNamesAreCheckedWithClearErrors) {
  Kernel k;
  k.limits.networks = 2;
  k.limits.net_ports = 2;
  std::vector<NetPortGrant> held;
  for (const char* n : {"a", "b"}) held.push_back(k.nets.join(7, n, "vhv-1").release_value());
  auto third = k.nets.join(7, "c", "vhv-1");
  ASSERT_TRUE(third.is_error());
  EXPECT_NE(third.error().message.find("\"networks\" (2)"), std::string::npos);
  EXPECT_TRUE(k.nets.join(8, "c", "vhv-2").is_ok());  // another owner is not bounded by 7's
  held.push_back(k.nets.join(7, "a", "vhv-2").release_value());
  auto full = k.nets.join(7, "a", "vhv-3");
  ASSERT_TRUE(full.is_error());
  EXPECT_NE(full.error().message.find("\"net-ports\" (2)"), std::string::npos);
  for (const char* bad : {"", "has space", "a/b", "x123456789012345678901234567890123"}) {
    auto r = k.nets.join(7, bad, "vhv-1");
    ASSERT_TRUE(r.is_error()) << bad;
    EXPECT_NE(r.error().message.find("1 to 32 characters"), std::string::npos);
  }
  EXPECT_TRUE(check_net_name("lab-0.A_z").is_ok());
  EXPECT_TRUE(check_net_name(std::string(32, 'x')).is_ok());
}

}  // namespace
}  // namespace nestlab::kernel
