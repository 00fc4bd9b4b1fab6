// The status page: live counters the lowvisor keeps in shared VHV RAM at
// layout::kStatusPa, read by the highvisor at any time without a message.
// Single writer (the lowvisor); the host reads `generation` before and after a
// copy and retries if it changed (seqlock).
#pragma once

#include <cstdint>

namespace nestlab {

struct StatusPage {
  static constexpr uint64_t kMagic = 0x3130'5354'4154'534eull;  // "NSTATS01"
  uint64_t magic;
  uint64_t generation;       // odd while the lowvisor is updating
  uint64_t exits_by_ec[64];  // per ESR_EL2.EC, VM 0
  uint64_t total_exits;
  uint64_t guest_entries;
  uint64_t vm_state;  // 0 idle, 1 loading, 2 running, 3 stopped
};

}  // namespace nestlab
