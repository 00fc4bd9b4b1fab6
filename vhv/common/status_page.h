// The status page: live counters the lowvisor keeps in shared VHV RAM at
// layout::kStatusPa, read by the highvisor at any time without a message.
// Single writer (the lowvisor); the host reads `generation` before and after a
// copy and retries if it changed (seqlock).
#pragma once

#include <cstdint>

namespace nestlab {

// The lowvisor scheduler's accounting of one vCPU (issue 13), nanoseconds of
// the VHV's counter.
struct VcpuSchedStats {
  uint64_t run_ns;      // time in the guest or in its exits
  uint64_t wait_ns;     // runnable but waiting for a physical CPU
  uint64_t migrations;  // times it ran on another physical CPU than before
  uint64_t last_cpu;    // the physical CPU it last ran on
};

// One per VM, at layout::status_pa(vm).
struct StatusPage {
  static constexpr uint64_t kMagic = 0x3230'5354'4154'534eull;  // "NSTATS02"
  uint64_t magic;
  uint64_t generation;       // odd while the lowvisor is updating
  uint64_t exits_by_ec[64];  // per ESR_EL2.EC
  uint64_t total_exits;
  uint64_t guest_entries;
  uint64_t vm_state;  // 0 idle, 1 loading, 2 running, 3 stopped
  uint32_t vcpu_count;
  uint32_t weight;
  VcpuSchedStats vcpus[8];
  uint64_t watchdog_fired;  // times the S14 watchdog's deadline passed
};

}  // namespace nestlab
