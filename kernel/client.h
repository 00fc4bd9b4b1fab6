// One API connection: who is on the other end (SO_PEERCRED, read once at
// accept) and what it subscribed to.
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <utility>

#include "kernel/line_channel.h"
#include "kernel/user_usage.h"

namespace nestlab::kernel {

struct Client {
  uint64_t id = 0;
  uid_t uid = 0;
  pid_t pid = 0;
  bool admin = false;  // in the kernel's --admin-group
  std::shared_ptr<LineChannel> channel;
  std::unique_ptr<UsageSlot> connection;           // counts this connection for its user
  std::shared_ptr<UserUsage> usage;                // the user's, shared with its other connections
  bool events_all = false;                         // events of every VHV it may see
  std::set<std::string> event_vhvs;                // VHV ids
  std::set<std::pair<std::string, int>> consoles;  // (VHV id, vm or -1 for all)

  size_t subscriptions() const { return event_vhvs.size() + consoles.size() + events_all; }

  // Root and the admin group see every VHV; everyone else only their own.
  bool may_see(uid_t owner) const { return uid == 0 || admin || uid == owner; }
};

}  // namespace nestlab::kernel
