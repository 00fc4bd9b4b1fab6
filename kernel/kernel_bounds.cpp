// The per-user bounds that are counted by looking (limits.h): before a
// client gets one more subscription, console attachment, trace follower or
// VHV, what its user already holds is counted across all of the user's
// connections. Connections, received fds and queued output are counted as
// they change (kernel.cpp, line_channel.cpp).
#include "kernel/kernel.h"

namespace nestlab::kernel {

HostResult<void> Kernel::check_subscription_room(const Client& client) {
  size_t held = 0;
  for (const auto& [_, c] : m_clients)
    if (c->uid == client.uid) held += c->subscriptions();
  size_t bound = m_options.limits.subscriptions;
  if (held >= bound)
    return limit_reached("subscriptions", bound, client.uid,
                         std::to_string(held) + " event and console subscriptions");
  return {};
}

HostResult<void> Kernel::check_console_room(const Client& client) {
  std::set<uint64_t> mine;
  for (const auto& [id, c] : m_clients)
    if (c->uid == client.uid) mine.insert(id);
  size_t held = m_console_broker.attachments(mine);
  size_t bound = m_options.limits.console_streams;
  if (held >= bound)
    return limit_reached("console-streams", bound, client.uid,
                         std::to_string(held) + " console attachments");
  return {};
}

HostResult<void> Kernel::check_follower_room(const Client& client) {
  size_t held = client.usage->trace_followers;
  size_t bound = m_options.limits.trace_followers;
  if (held >= bound)
    return limit_reached("trace-followers", bound, client.uid,
                         std::to_string(held) + " vm.trace followers");
  return {};
}

HostResult<void> Kernel::check_vhv_room(uid_t owner) {
  size_t held = 0;
  for (const auto& [_, vhv] : m_vhvs) held += vhv->record().owner_uid == owner;
  size_t bound = m_options.limits.vhvs;
  if (held >= bound)
    return limit_reached("vhvs", bound, owner,
                         std::to_string(held) + " VHVs (destroy some with vhv.destroy)");
  return {};
}

}  // namespace nestlab::kernel
