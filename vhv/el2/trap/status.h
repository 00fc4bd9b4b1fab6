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
  // Every VM slot's page (boot).
  static void init();
  // Counts a synchronous exit and the guest entry it ended (guest_entries
  // counts entries once they are over, so a round trip is one update), for
  // the VM this CPU runs (runtime/current_vm.h).
  static void count_exit(ExceptionClass ec);
  // Counts a guest entry that ended in anything but a synchronous exit.
  static void count_entry();
  static void set_state(unsigned slot, VmState state);
  // Clears the per-VM counters when a new VM starts in `slot`.
  static void reset_counters(unsigned slot, uint32_t vcpus, uint32_t weight);
  // The scheduler's figures for vCPU `vcpu` of the VM in `slot`.
  static void set_vcpu_stats(unsigned slot, unsigned vcpu, const VcpuSchedStats& stats);
  static void count_watchdog(unsigned slot);
};

}  // namespace nestlab
