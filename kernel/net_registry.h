// The lab networks of this kernel (`--net NAME`), keyed by (owner uid,
// NAME): the VMs of one owner that name the same network share it, over
// all of that owner's VHVs; another owner's network of the same name is
// another network. Each VM on a network has a port: a SOCK_SEQPACKET
// socket pair, one frame per message, whose one end the highvisor gets
// (vhv/host/virtio/net_device.h) and whose other end the kernel reads on
// its event loop and switches (net_switch.h). Nothing else is on a
// network: no route to the host's own network, nor to another owner's.
//
// A port lasts as long as its NetPortClaim (the Vhv keeps it while the VM
// runs); a network goes with its last port. Bounds (limits.h): "networks"
// per owner, "net-ports" per network.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "base/error.h"
#include "base/unique_fd.h"
#include "kernel/limits.h"
#include "kernel/net_switch.h"

namespace nestlab::kernel {

class NetRegistry;

// "a name of 1 to 32 characters of A-Z a-z 0-9 . _ -", or an error saying so.
HostResult<void> check_net_name(const std::string& name);

class NetPortClaim {
 public:
  NetPortClaim(NetRegistry* registry, std::pair<uid_t, std::string> network, PortId port)
      : m_registry(registry), m_network(std::move(network)), m_port(port) {}
  NetPortClaim(const NetPortClaim&) = delete;
  NetPortClaim& operator=(const NetPortClaim&) = delete;
  ~NetPortClaim();

 private:
  NetRegistry* m_registry;  // Not owned: the kernel's, which outlives every VHV.
  std::pair<uid_t, std::string> m_network;
  PortId m_port;
};

// A new port: the highvisor's end and the kernel's claim on it.
struct NetPortGrant {
  UniqueFd highvisor_end;
  std::unique_ptr<NetPortClaim> claim;
  uint64_t mac_key;  // vhv/common/net_mac.h: (owner, VHV, network) hashed
  std::string name;  // the network's
};

class NetRegistry {
 public:
  NetRegistry(boost::asio::io_context& io, const Limits& limits);
  ~NetRegistry();

  // `vhv_id` (the VHV's id, never reused) goes into the MAC key.
  HostResult<NetPortGrant> join(uid_t owner, const std::string& name, const std::string& vhv_id);

  size_t network_count(uid_t owner) const;
  // Ports on (owner, name); 0 when there is no such network.
  size_t port_count(uid_t owner, const std::string& name) const;

 private:
  friend class NetPortClaim;
  struct Port;
  struct Network;
  void leave(const std::pair<uid_t, std::string>& key, PortId port);
  void wait(const std::shared_ptr<Port>& port);
  void on_readable(Network& net, Port& port);

  boost::asio::io_context& m_io;
  const Limits& m_limits;  // Not owned: the kernel's options.
  std::map<std::pair<uid_t, std::string>, std::unique_ptr<Network>> m_networks;
  PortId m_next_port = 1;
};

}  // namespace nestlab::kernel
