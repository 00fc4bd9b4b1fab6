// The S13 test: a PRDA operation (obtain this CPU's PRDA address, then
// update the area through it) carried out by a lowvisor task that is moved
// to another CPU between the two steps. Reached by the guest through the
// backdoor (vhv/common/backdoor.h, Service::PrdaProbe); sched_lock() held.
#pragma once

#include <cstdint>

namespace nestlab {

enum class PrdaProbeMode : uint64_t {
  Window = 0,       // the address through TPIDR_EL2 (the PRDA window): safe
  NoPreempt = 1,    // the same inside a NoPreempt section: the move waits
  HomeAddress = 2,  // the block's physical home address: what goes wrong without the window
};

struct PrdaProbeResult {
  int64_t status;  // backdoor::Error
  unsigned obtained_on, operated_on, touched, finished_on;
};

PrdaProbeResult prda_probe(uint64_t target_cpu, uint64_t mode);

}  // namespace nestlab
