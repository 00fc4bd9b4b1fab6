// The S13 test: a PRDA operation (obtain this CPU's PRDA address, then
// update the area through it) carried out by a context that is moved to
// another CPU between the two steps: a lowvisor task (modes 0-2), or the
// calling vCPU itself (modes 3-4: the exit handler obtains the address, the
// vCPU leaves its CPU, and its run loop on the new CPU does the update
// before the vCPU enters the guest again). Reached by the guest through the
// backdoor (vhv/common/backdoor.h, Service::PrdaProbe); sched_lock() held.
#pragma once

#include <cstdint>

namespace nestlab {

enum class PrdaProbeMode : uint64_t {
  Window = 0,         // the address through TPIDR_EL2 (the PRDA window): safe
  NoPreempt = 1,      // the same inside a NoPreempt section: the move waits
  HomeAddress = 2,    // the block's physical home address: what goes wrong without the window
  VcpuWindow = 3,     // Window, with the calling vCPU as the context that moves
  VcpuNoPreempt = 4,  // NoPreempt, with the calling vCPU as the context that moves
};

// A vCPU's probe between its exit handler and its arrival on the new CPU.
struct VcpuPrdaProbe {
  void* area;  // the Prda obtained before the move. Not owned.
  uint64_t mode;
  unsigned obtained_on, operated_on, touched;
  bool pending;  // the answer in x1..x3 is completed on arrival
};

struct PrdaProbeResult {
  int64_t status;  // backdoor::Error
  unsigned obtained_on, operated_on, touched, finished_on;
};

class Vm;
struct Vcpu;

// The probe of the vCPU of `vm` that runs on this CPU. For modes 3-4 the
// result's CPUs after the move are filled in by prda_probe_arrived.
PrdaProbeResult prda_probe(Vm& vm, uint64_t target_cpu, uint64_t mode);
// The run loop, once the vCPU is loaded on a CPU: completes its probe, if
// one is in flight, and writes the answer into its x1..x3.
void prda_probe_arrived(Vcpu& v);

}  // namespace nestlab
