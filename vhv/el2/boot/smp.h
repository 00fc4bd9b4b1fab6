// Physical SMP of the lowvisor: every CPU QEMU gives the VHV (-smp N) runs
// the lowvisor at EL2. The boot CPU starts the others with PSCI CPU_ON over
// SMC (QEMU's built-in PSCI: with virtualization=on and no EL3 firmware the
// conduit is SMC, DEN0022 5.1.4), each on its own stack; they check in and
// wait for work in sched/.
//
// The CPU index is MPIDR_EL1.Aff0: QEMU's virt board numbers CPUs 0..N-1
// in Aff0 for up to 16 CPUs per cluster with GICv3.
#pragma once

#include <cstdint>

#include "vhv/el2/arch/sysreg.h"

namespace nestlab {

inline constexpr unsigned kMaxCpus = 8;

// The index of the CPU running this code, 0..kMaxCpus-1.
inline unsigned this_cpu() { return static_cast<unsigned>(read_sysreg(mpidr_el1) & 0xff); }

// CPUs that checked in (the boot CPU included); valid after smp_boot().
unsigned cpu_count();

template <typename F>
void for_each_cpu(F&& f) {
  const unsigned n = cpu_count();
  for (unsigned c = 0; c < n; ++c) f(c);
}

// Boot CPU only, after the MMU and the distributor are up: starts every
// other CPU and waits (bounded) until each has checked in. Returns the
// number of CPUs now online.
unsigned smp_boot();

}  // namespace nestlab
