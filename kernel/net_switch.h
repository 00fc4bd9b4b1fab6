// A lab network's switch: a learning L2 (Ethernet) switch, as a bridge of
// IEEE 802.1D would be without spanning tree, over the ports of the VMs on
// one network (net_registry.h). It learns which port each source MAC came
// from (at most kMaxMacs entries, each forgotten kAgeing after it was last
// seen, the oldest replaced when the table is full), sends a frame for a
// known unicast MAC to that port only, and floods broadcast, multicast and
// unknown destinations to every port but the one it came from. A frame is
// never sent back to its source port, and only whole Ethernet frames of 14
// to 1514 bytes are switched (the virtio-net header never reaches here).
//
// Pure logic: no sockets, time passed in, so that it is tested and fuzzed
// on its own. There is no port to the host's network: a lab network
// reaches nothing but its own VMs.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace nestlab::kernel {

using PortId = uint32_t;
using Mac = std::array<uint8_t, 6>;

class NetSwitch {
 public:
  static constexpr size_t kMaxMacs = 256;
  static constexpr std::chrono::seconds kAgeing{300};  // 802.1D's default ageing time
  static constexpr size_t kMinFrame = 14, kMaxFrame = 1514;
  using Clock = std::chrono::steady_clock;

  enum class Verdict : uint8_t { Forward, Flood, Filtered, BadSize, UnknownPort };

  struct Counters {
    uint64_t forwarded = 0, flooded = 0, filtered = 0, bad_size = 0;
  };

  void add_port(PortId port);
  // Forgets the port and every MAC learnt on it.
  void remove_port(PortId port);
  size_t port_count() const { return m_ports.size(); }
  size_t mac_count() const { return m_macs.size(); }
  const Counters& counters() const { return m_counters; }

  // Where a frame from `from` goes (appended to `to`, never `from`).
  // Learns the source MAC unless it is a group address.
  Verdict route(PortId from, std::span<const uint8_t> frame, Clock::time_point now,
                std::vector<PortId>& to);

 private:
  struct Entry {
    PortId port;
    Clock::time_point seen;
  };
  void learn(const Mac& mac, PortId port, Clock::time_point now);

  std::vector<PortId> m_ports;
  std::map<Mac, Entry> m_macs;  // invariant: size() <= kMaxMacs, every port in m_ports
  Counters m_counters;
};

}  // namespace nestlab::kernel
