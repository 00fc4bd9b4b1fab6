#include "kernel/net_switch.h"

#include <algorithm>

namespace nestlab::kernel {

void NetSwitch::add_port(PortId port) {
  if (std::find(m_ports.begin(), m_ports.end(), port) == m_ports.end()) m_ports.push_back(port);
}

void NetSwitch::remove_port(PortId port) {
  std::erase(m_ports, port);
  std::erase_if(m_macs, [port](const auto& kv) { return kv.second.port == port; });
}

void NetSwitch::learn(const Mac& mac, PortId port, Clock::time_point now) {
  auto it = m_macs.find(mac);
  if (it != m_macs.end()) {
    it->second = {port, now};  // a VM that moved, or one seen again
    return;
  }
  if (m_macs.size() >= kMaxMacs) {
    // Aged entries first; else the least recently seen one.
    auto oldest = m_macs.begin();
    for (auto e = m_macs.begin(); e != m_macs.end(); ++e)
      if (e->second.seen < oldest->second.seen) oldest = e;
    m_macs.erase(oldest);
  }
  m_macs.emplace(mac, Entry{port, now});
}

NetSwitch::Verdict NetSwitch::route(PortId from, std::span<const uint8_t> frame,
                                    Clock::time_point now, std::vector<PortId>& to) {
  if (std::find(m_ports.begin(), m_ports.end(), from) == m_ports.end()) return Verdict::UnknownPort;
  if (frame.size() < kMinFrame || frame.size() > kMaxFrame) {
    ++m_counters.bad_size;
    return Verdict::BadSize;
  }
  Mac dst, src;
  std::copy_n(frame.begin(), 6, dst.begin());
  std::copy_n(frame.begin() + 6, 6, src.begin());
  // Bit 0 of the first octet: a group (multicast or broadcast) address,
  // never a source to learn (802.1D 7.8).
  if (!(src[0] & 1)) learn(src, from, now);
  if (!(dst[0] & 1)) {
    auto it = m_macs.find(dst);
    if (it != m_macs.end() && now - it->second.seen > kAgeing) {
      m_macs.erase(it);
      it = m_macs.end();
    }
    if (it != m_macs.end()) {
      if (it->second.port == from) {
        // The destination is on the port it came from: nothing to do.
        ++m_counters.filtered;
        return Verdict::Filtered;
      }
      to.push_back(it->second.port);
      ++m_counters.forwarded;
      return Verdict::Forward;
    }
  }
  for (PortId p : m_ports)
    if (p != from) to.push_back(p);
  ++m_counters.flooded;
  return Verdict::Flood;
}

}  // namespace nestlab::kernel
