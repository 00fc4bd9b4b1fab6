// Surviving nestlabd's death (docs/protocols.md §2, "Reconnecting"; the
// containerd-shim pattern): the kernel gave the highvisor a listening
// socket in the VHV's state directory. When the control connection ends,
// the guest goes on, what the highvisor would have said is kept in a
// bounded backlog, and the next kernel to connect gets a `hello` with the
// VHV's state, then the backlog, then live events.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vhv/host/highvisor.h"

#include "base/control_protocol.h"

namespace nestlab::vhv {

using json = nlohmann::json;

void Highvisor::on_control_lost(const std::string& why) {
  if (!m_control.connected()) return;
  m_control.disconnected();
  if (m_config.listen_fd < 0) {
    // Nobody can reach this VHV any more: stop it rather than run unobserved.
    begin_shutdown();
    return;
  }
  std::fprintf(stderr, "nestlab-vhv %s: %s; the VHV goes on and waits for nestlabd\n",
               m_config.name.c_str(), why.c_str());
}

json Highvisor::hello() const {
  const char* state = "booting";
  switch (m_state) {
    case State::Booting: state = "booting"; break;
    case State::Ready: state = any_vm_busy() ? "running" : "ready"; break;
    case State::Stopping: state = "stopping"; break;
  }
  // The lowest VM that runs: the one a kernel from before issue 13 knew.
  const VmSlot* first = nullptr;
  for (const VmSlot& s : m_vms)
    if (!first && s.busy()) first = &s;
  json h{{"event", control::kHello},
         {"state", state},
         {"paused", m_pause.paused},
         {"tick_policy", tick_policy_name(first ? first->tick_policy : channel::TickPolicy::Skip)},
         {"connection", m_connections},
         {"backlog_bytes", m_backlog.bytes()},
         {"dropped_bytes", m_backlog.dropped_bytes()}};
  if (m_qemu && !m_qemu->exited()) h["qemu_pid"] = m_qemu->pid();
  if (first) h["image_name"] = first->image_name;
  h["vms"] = vms_json();
  if (m_lowvisor_protocol) h["protocol_version"] = m_lowvisor_protocol;
  return h;
}

void Highvisor::accept_control() {
  int fd = ::accept4(m_config.listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;  // EAGAIN or a connector that gave up: wait for the next
  if (auto r = m_control.replace(fd); r.is_error()) {
    std::fprintf(stderr, "nestlab-vhv %s: %s\n", m_config.name.c_str(), r.error().message.c_str());
    return;
  }
  ++m_connections;
  if (m_control.send(hello()).is_error()) {
    m_control.disconnected();
    return;
  }
  while (!m_backlog.empty()) {
    // The backlog is raw JSON text already; send it as a line of its own.
    auto line = json::parse(m_backlog.front(), nullptr, false);
    if (!line.is_discarded() && m_control.send(line).is_error()) {
      m_control.disconnected();  // kept for the kernel after this one
      return;
    }
    m_backlog.pop();
  }
}

}  // namespace nestlab::vhv
