// What one user's clients make nestlabd hold right now, counted against the
// per-user bounds (limits.h). Shared (shared_ptr) by the user's connections
// and by what they started, such as trace followers, so every count stays
// right whatever order those end in, even after the Kernel is gone.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>

#include "kernel/line_channel.h"

namespace nestlab::kernel {

struct UserUsage {
  uid_t uid = 0;
  size_t connections = 0;      // open API connections
  size_t trace_followers = 0;  // vm.trace follows running
  // A refused connection is logged once, until one of the user's closes:
  // a client retrying in a loop must not fill the log.
  bool refusal_logged = false;
  std::shared_ptr<SharedBudget> io = std::make_shared<SharedBudget>();
};

// Holds one unit of a counter for as long as it lives.
class UsageSlot {
 public:
  UsageSlot(std::shared_ptr<UserUsage> usage, size_t UserUsage::*counter)
      : m_usage(std::move(usage)), m_counter(counter) {
    ++((*m_usage).*m_counter);
  }
  ~UsageSlot() { --((*m_usage).*m_counter); }
  UsageSlot(const UsageSlot&) = delete;
  UsageSlot& operator=(const UsageSlot&) = delete;

 private:
  std::shared_ptr<UserUsage> m_usage;
  size_t UserUsage::*m_counter;
};

}  // namespace nestlab::kernel
