// The per-vCPU exit trace ring and the per-VM trap statistics, kept by the
// lowvisor in shared VHV RAM (layout::kTracePa, layout::kTrapStatsPa) and read
// by the highvisor without any message.
//
// Each vCPU has a fixed ring of kTraceEntries records. The lowvisor is the
// only writer of a ring; it invalidates a slot (seq = 0), fills it, then
// publishes seq = index + 1 and finally head = index + 1, with store barriers
// in between. A reader copies a slot and accepts it only when seq reads the
// same expected value before and after the copy, so a slot being rewritten is
// never returned half old, half new.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nestlab::trace {

inline constexpr uint32_t kTraceEntries = 1024;  // per vCPU, a power of two
inline constexpr uint32_t kMaxTraceVcpus = 8;
inline constexpr uint64_t kRingMagic = 0x3130'4543'4152'544eull;   // "NTRACE01"
inline constexpr uint64_t kStatsMagic = 0x3130'5350'4152'544eull;  // "NTRAPS01"

// What the handler decided (ExitAction, plus the extra outcomes below).
enum class Result : uint8_t {
  Advance = 0,
  Resume = 1,
  Reboot = 2,
  Stop = 3,
  Irq = 4,  // a physical interrupt ended the guest's run (not a guest exit)
};

struct Entry {
  uint64_t seq;      // index + 1 once complete; 0 while being written
  uint64_t time_ns;  // the VHV's counter (CNTPCT_EL0) in ns since the VHV booted
  uint64_t pc;       // guest PC of the exit (ELR_EL2)
  uint32_t iss;      // ESR_EL2.ISS
  uint8_t ec;        // ESR_EL2.EC
  uint8_t result;    // Result
  uint16_t detail;   // class-specific: backdoor service, DCC service, or 0
};
static_assert(sizeof(Entry) == 32);

struct Ring {
  uint64_t magic;
  uint64_t head;  // entries ever written; the newest is head - 1
  uint32_t capacity;
  uint32_t vcpu;
  uint64_t reserved[5];
  Entry entries[kTraceEntries];
};
static_assert(sizeof(Ring) == 64 + kTraceEntries * sizeof(Entry));

// Mechanism counters beside the per-class exit counts of the StatusPage.
// Single writer (the lowvisor); every field only grows while a VM runs and
// is cleared when the next VM starts.
struct TrapStats {
  uint64_t magic;
  uint64_t backdoor_calls;   // BRK #0x5658 requests served (any outcome)
  uint64_t dcc_calls;        // MDCCSR_EL0 reads carrying a request
  uint64_t bad_requests;     // requests answered with an error code
  uint64_t brk_reflected;    // other BRK immediates given back to the guest
  uint64_t exec_faults;      // first-execution faults (S15)
  uint64_t icache_syncs;     // pages cleaned/invalidated and made executable
  uint64_t exec_revoked;     // writes that took execute permission away again
  uint64_t wfe_patched;      // WFE sites patched (S14)
  uint64_t wfe_calls;        // WFE channel requests
  uint64_t watchdog_fired;   // watchdog deadlines missed
  uint64_t sysreg_emulated;  // other trapped system register accesses
  // S13: operations in each CPU's PRDA, and moves of lowvisor tasks between
  // CPUs, since the lowvisor booted (the PRDA probe, backdoor service 8).
  uint64_t prda_ops[8];
  uint64_t task_migrations;
  // Stage-2 changes refused because the VM's level-3 table pool was empty
  // (each ends the VM: stage2_error.h).
  uint64_t s2_pool_exhausted;
  // WFEs after which the vCPU gave its CPU to a vCPU waiting for one (the
  // scheduler's WFE-as-idle yield, sched/sched.h).
  uint64_t wfe_yields;
  uint64_t reserved[9];
};
static_assert(sizeof(TrapStats) == 256);
static_assert(offsetof(TrapStats, s2_pool_exhausted) == 168);  // the host reads it there
static_assert(offsetof(TrapStats, wfe_yields) == 176);

inline constexpr uint64_t ring_bytes() { return sizeof(Ring); }

}  // namespace nestlab::trace
