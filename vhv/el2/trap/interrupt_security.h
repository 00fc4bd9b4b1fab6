// The interrupt security module (S24). A guest declares through the
// backdoor that one register holds a secret while the PC is in a region of
// its code. When a virtual interrupt is about to be taken there, the
// lowvisor replaces the register with backdoor::kScrubbedValue before the
// guest's handler can save or read it, and takes execute permission away
// from the region's pages; the handler's return into the region then faults
// to the lowvisor, which puts the secret back and lets the code continue.
#pragma once

#include <cstdint>

namespace nestlab {

class Vm;
struct VcpuContext;

// One VM's declared secret region (kept in its Vm), under sched_lock().
struct SecretRegion {
  bool declared = false;
  bool scrubbed = false;        // invariant: scrubbed implies declared
  unsigned reg = 0;             // x0..x30
  uint64_t start = 0, end = 0;  // guest VAs, [start, end)
  uint64_t secret = 0;          // the register's value while scrubbed
};

// Backdoor service SecretRegion: 0 or a negative backdoor::Error.
int64_t isec_declare(Vm& vm, uint64_t reg, uint64_t start, uint64_t end);
// Right before entering the guest (list registers loaded): scrubs when an
// interrupt will be taken inside the region.
void isec_before_entry(Vm& vm, VcpuContext& ctx);
// An instruction fetch fault at `pc`: true when it was the return into a
// scrubbed region (the secret is back and the page executable again).
bool isec_on_exec_fault(Vm& vm, uint64_t pc);

}  // namespace nestlab
