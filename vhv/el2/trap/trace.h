// The lowvisor's side of the exit trace rings and trap statistics
// (vhv/common/trace_ring.h): the only writer. One ring per vCPU, chosen by
// VMPIDR_EL2.Aff0 (the vCPU the hardware is running), so the recorder needs
// no vCPU argument and stays right when vCPUs move between physical CPUs.
#pragma once

#include <cstdint>

#include "vhv/common/trace_ring.h"
#include "vhv/el2/trap/exit_action.h"

namespace nestlab {

class TraceWriter {
 public:
  // Formats every ring and the statistics page (lowvisor boot).
  static void init();
  // Empties the rings and clears the statistics when a new VM starts.
  static void reset(unsigned slot);
  // Appends one record to the current vCPU's ring.
  static void record(const ExitInfo& exit, trace::Result result);
  // A handler's class-specific detail for the record of the current exit
  // (for example the backdoor service number).
  static void set_detail(uint16_t detail);
  static trace::TrapStats& stats();  // of the VM this CPU runs
  static trace::TrapStats& stats_of(unsigned slot);
  // The VHV's counter in ns since boot.
  static uint64_t now_ns();
};

// Counts one event in the trap statistics (several CPUs may count at once).
inline void count(uint64_t& counter) { __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED); }

}  // namespace nestlab
