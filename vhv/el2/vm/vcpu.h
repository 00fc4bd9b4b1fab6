// One virtual CPU of a VM: its saved general registers, its FP/SIMD state,
// its PSCI power state (DEN0022 5.1.5) and what the scheduler knows of it.
// vCPUs of all VMs share the physical CPUs (sched/): while a vCPU is loaded
// on a CPU its EL1, timer and GIC CPU-interface state live in that CPU's
// registers; when it leaves (vcpu_put) they go into `state`, and the next
// CPU to run it loads them from there (vcpu_load). FP/SIMD is switched
// lazily (vm/fp_switch.cpp).
#pragma once

#include <cstdint>

#include "vhv/common/vcpu_state.h"
#include "vhv/el2/sched/prda_probe.h"
#include "vhv/el2/timer/phys_timer.h"
#include "vhv/el2/trap/context.h"
#include "vhv/el2/vm/fp_state.h"

namespace nestlab {

enum class PowerState : uint8_t { Off = 0, OnPending = 1, On = 2 };

struct Vcpu {
  VcpuContext ctx{};
  volatile PowerState power = PowerState::Off;
  // Where an OnPending vCPU starts (PSCI CPU_ON entry_point_address and
  // context_id, or the image entry and device tree for vCPU 0).
  uint64_t boot_entry = 0;
  uint64_t boot_x0 = 0;
  volatile bool in_vm = false;   // its CPU is inside Vm::run_vcpu
  volatile bool loaded = false;  // its CPU's EL1/timer/GIC state is this vCPU's
  // The complete versioned state (vhv/common/vcpu_state.h): filled when the
  // vCPU leaves its CPU (vm/vcpu_state.cpp), so valid while !loaded. Its
  // FP part is also the home of the lazily switched FP/SIMD registers.
  VcpuState state{};
  // Invariant: while fp_loaded, the CPU's V0-V31/FPCR/FPSR are this vCPU's
  // and CPTR_EL2.TFP is clear; otherwise state.fp holds them and TFP is set.
  bool fp_loaded = false;
  PhysTimer phys_timer{};  // the guest's EL1 physical timer (timer/phys_timer.h)

  // --- scheduling (sched/), under sched_lock() ---
  unsigned index = 0;             // its number in the VM (MPIDR Aff0 the guest sees)
  volatile int cpu = -1;          // the physical CPU it is loaded on; -1: none
  volatile bool blocked = false;  // in WFI, waiting for an interrupt
  bool ever_ran = false;          // `last_cpu` means something
  uint64_t vruntime = 0;          // vhv/common/vcpu_sched.h
  uint64_t since = 0;             // counter when it was loaded, or became runnable
  uint64_t run_ticks = 0, wait_ticks = 0, migrations = 0;
  unsigned last_cpu = 0;
  // It gave its CPU away in a WFE (sched_yield_on_wfe): the next pick takes
  // another vCPU first if there is one.
  bool yielded = false;
  // A vCPU code path asked to continue on this CPU (vcpu_migrate, S13);
  // kNoCpu (-1) when none. Only that CPU picks the vCPU meanwhile.
  int move_to = -1;
  VcpuPrdaProbe prda_probe{};  // S13 probe in flight across the move (sched/prda_probe.h)
};

}  // namespace nestlab
