#include "kernel/net_registry.h"

#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "vhv/common/net_mac.h"

namespace nestlab::kernel {

namespace {

// Frames taken from one port per wakeup, so that one busy VM cannot keep
// the kernel's loop from everything else.
constexpr unsigned kBurst = 64;
// Each end's send buffer: some hundred frames in flight; a port whose
// reader does not keep up loses frames (as a switch's full egress queue
// does), never the kernel's loop.
constexpr int kSocketBuffer = 512 * 1024;

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

HostResult<void> check_net_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 32;
  for (char c : name) ok = ok && name_char(c);
  if (!ok)
    return make_error(ErrorCode::InvalidArgument,
                      "a lab network's name is 1 to 32 characters of A-Z a-z 0-9 . _ -, not \"" +
                          name.substr(0, 40) + (name.size() > 40 ? "..." : "") + "\"");
  return {};
}

struct NetRegistry::Port {
  Port(boost::asio::io_context& io, UniqueFd fd, PortId id, Network* network)
      : socket(io, fd.release()), id(id), network(network) {}
  boost::asio::posix::stream_descriptor socket;
  PortId id;
  Network* network;  // Not owned: the network that owns this port.
  bool open = true;  // false once the highvisor's end is gone
};

struct NetRegistry::Network {
  NetSwitch sw;
  std::map<PortId, std::shared_ptr<Port>> ports;
};

NetPortClaim::~NetPortClaim() {
  if (m_registry) m_registry->leave(m_network, m_port);
}

NetRegistry::NetRegistry(boost::asio::io_context& io, const Limits& limits)
    : m_io(io), m_limits(limits) {}

NetRegistry::~NetRegistry() = default;

size_t NetRegistry::network_count(uid_t owner) const {
  size_t n = 0;
  for (const auto& [key, net] : m_networks) n += key.first == owner;
  return n;
}

size_t NetRegistry::port_count(uid_t owner, const std::string& name) const {
  auto it = m_networks.find({owner, name});
  return it == m_networks.end() ? 0 : it->second->ports.size();
}

HostResult<NetPortGrant> NetRegistry::join(uid_t owner, const std::string& name,
                                           const std::string& vhv_id) {
  TRY(check_net_name(name));
  const auto key = std::make_pair(owner, name);
  auto it = m_networks.find(key);
  if (it == m_networks.end()) {
    const size_t have = network_count(owner);
    if (have >= m_limits.networks)
      return limit_reached("networks", m_limits.networks, owner,
                           std::to_string(have) + " lab networks with VMs on them");
  } else if (it->second->ports.size() >= m_limits.net_ports) {
    return limit_reached(
        "net-ports", m_limits.net_ports, owner,
        std::to_string(it->second->ports.size()) + " VMs on lab network \"" + name + "\"");
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
    return errno_error("socketpair for a lab network port");
  UniqueFd mine(pair[0]), theirs(pair[1]);
  for (int fd : pair) {
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSocketBuffer, sizeof kSocketBuffer);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kSocketBuffer, sizeof kSocketBuffer);
  }
  if (it == m_networks.end()) it = m_networks.emplace(key, std::make_unique<Network>()).first;
  Network& net = *it->second;
  const PortId id = m_next_port++;
  auto port = std::make_shared<Port>(m_io, std::move(mine), id, &net);
  port->socket.non_blocking(true);
  net.ports.emplace(id, port);
  net.sw.add_port(id);
  wait(port);
  const std::string who = std::to_string(owner) + '\0' + vhv_id + '\0' + name;
  return NetPortGrant{std::move(theirs), std::make_unique<NetPortClaim>(this, key, id),
                      fnv1a64(who.data(), who.size()), name};
}

void NetRegistry::leave(const std::pair<uid_t, std::string>& key, PortId id) {
  auto it = m_networks.find(key);
  if (it == m_networks.end()) return;
  it->second->sw.remove_port(id);
  it->second->ports.erase(id);  // closes the kernel's end
  if (it->second->ports.empty()) m_networks.erase(it);
}

void NetRegistry::wait(const std::shared_ptr<Port>& port) {
  std::weak_ptr<Port> weak = port;
  port->socket.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this, weak](const boost::system::error_code& ec) {
                            auto p = weak.lock();
                            if (ec || !p) return;  // the port is gone
                            on_readable(*p->network, *p);
                            if (p->open) wait(p);
                          });
}

void NetRegistry::on_readable(Network& net, Port& from) {
  uint8_t frame[NetSwitch::kMaxFrame + 1];
  std::vector<PortId> to;
  const auto now = NetSwitch::Clock::now();
  for (unsigned k = 0; k < kBurst; ++k) {
    ssize_t n = ::recv(from.socket.native_handle(), frame, sizeof frame, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      // The highvisor closed its end (the VM ended; its claim follows with
      // the VM's exit): no more frames from here, none to it.
      from.open = false;
      net.sw.remove_port(from.id);
      return;
    }
    to.clear();
    // A frame longer than the buffer arrives cut to kMaxFrame + 1: a giant
    // the switch refuses.
    if (net.sw.route(from.id, std::span<const uint8_t>(frame, static_cast<size_t>(n)), now, to) ==
        NetSwitch::Verdict::UnknownPort)
      return;
    for (PortId id : to) {
      auto dest = net.ports.find(id);
      if (dest == net.ports.end() || !dest->second->open) continue;
      // Never blocks: a full port drops the frame.
      (void)::send(dest->second->socket.native_handle(), frame, static_cast<size_t>(n),
                   MSG_DONTWAIT | MSG_NOSIGNAL);
    }
  }
}

}  // namespace nestlab::kernel
