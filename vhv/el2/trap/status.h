// The lowvisor's side of the StatusPage (vhv/common/status_page.h): the only
// writer. Only synchronous exits are counted (physical interrupts that
// arrive while a guest runs are the lowvisor's business, not the guest's), so
// total_exits is the sum of exits_by_ec. Every update is bracketed by the seqlock generation (odd
// while writing) with store barriers, so the highvisor's copy is never torn.
#pragma once

#include <cstdint>

#include "vhv/common/esr.h"
#include "vhv/common/status_page.h"

namespace nestlab {

enum class VmState : uint64_t { Idle = 0, Loading = 1, Running = 2, Stopped = 3 };

class StatusWriter {
 public:
  static void init();
  // Counts a synchronous exit and the guest entry it ended (guest_entries
  // counts entries once they are over, so a round trip is one update).
  static void count_exit(ExceptionClass ec);
  // Counts a guest entry that ended in anything but a synchronous exit.
  static void count_entry();
  static void set_state(VmState state);
  // Clears the per-VM counters when a new VM starts.
  static void reset_counters();
};

}  // namespace nestlab
