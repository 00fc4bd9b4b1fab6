// What the scheduler (sched/sched.cpp) knows of one physical CPU. Each
// CPU's record lives in its PRDA (sched/prda.h, S13): the vCPU run loop and
// the exit handlers reach their own CPU's record through the PRDA window
// (this_prda().sched), which names the right record whichever CPU the vCPU
// was loaded on last; other CPUs read it through its home address
// (prda_home(cpu).sched) to find an idle CPU to kick. Under sched_lock().
#pragma once

#include <cstdint>

namespace nestlab {

class Vm;

struct SchedCpu {
  Vm* vm;              // the VM of the loaded vCPU, nullptr when none. Not owned.
  unsigned vcpu;       // that vCPU's number
  volatile bool idle;  // asleep in WFI: a kick gives it work
  volatile bool free;  // idle with no vCPU loaded (not one waiting in WFI)
  bool resched;        // the slice timer fired
  bool yield_now;      // the loaded vCPU gave its CPU away (a WFE, sched_yield_on_wfe)
  uint64_t slice_end;  // counter ticks
  uint64_t loaded_at;
  uint64_t idle_ticks;  // asleep in WFI with the vCPU loaded (not run time)
};

}  // namespace nestlab
