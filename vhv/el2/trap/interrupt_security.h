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

// Backdoor service SecretRegion: 0 or a negative backdoor::Error.
int64_t isec_declare(uint64_t reg, uint64_t start, uint64_t end);
// Right before entering the guest (list registers loaded): scrubs when an
// interrupt will be taken inside the region.
void isec_before_entry(Vm& vm, VcpuContext& ctx);
// An instruction fetch fault at `pc`: true when it was the return into a
// scrubbed region (the secret is back and the page executable again).
bool isec_on_exec_fault(Vm& vm, uint64_t pc);
void isec_reset();

}  // namespace nestlab
