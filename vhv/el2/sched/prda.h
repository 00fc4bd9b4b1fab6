// The per-CPU private data area (PRDA, seed S13): one 4 KiB block per
// physical CPU of the lowvisor.
//
// Safe access across migration (the seed's first embodiment): every CPU
// maps its own block at the same virtual address, prda_map::kWindowVa
// (boot/mmu.cpp, vhv/common/prda_map.h), and TPIDR_EL2 (Arm ARM D19.2.146)
// holds that address on every CPU. A context that obtains a PRDA address on
// one CPU and is moved to another (sched/task.h) before it uses it reaches
// the new CPU's block, never the old one's: there is no per-CPU pointer
// that could go stale.
//
// Delayed migration (the second embodiment): code that must finish a
// sequence on one CPU (it reads the CPU index and then updates the area
// accordingly, say) takes a NoPreempt guard. A move requested meanwhile
// waits until the guard ends (sched/task.cpp, preempt_point()).
//
// vCPUs are contexts that move too (sched/sched.cpp): the exit vectors
// (trap/vectors.S) find the context to save the guest's registers into
// through TPIDR_EL2, the run loop and the exit handlers find their CPU's
// scheduler record there (cpu_record.h), and a vCPU code path may ask to
// continue on another CPU (vcpu_migrate, sched.h): the vCPU leaves its CPU
// before its next entry into the guest, unless a NoPreempt section is open,
// and the move waits for its end.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/common/prda_map.h"
#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/sched/cpu_record.h"
#include "vhv/el2/trap/context.h"

namespace nestlab {

struct Task;

// Callee-saved state of a lowvisor context between two switches
// (sched/task_switch.S): x19..x28, x29 (fp), x30 (lr), sp.
struct TaskRegs {
  uint64_t x19_x28[10];
  uint64_t fp, lr, sp;
};
static_assert(sizeof(TaskRegs) == 13 * 8);

struct alignas(prda_map::kPageSize) Prda {
  // The context vectors.S saves the guest's registers into; enter_guest sets
  // it. Offset 0: the assembly loads it with one instruction.
  VcpuContext* ctx;
  uint64_t cpu;          // index of the CPU that owns this block
  uint64_t preempt_off;  // > 0: the running context must not be moved
  uint64_t ops;          // PRDA operations carried out in this block (S13 probe)
  Task* current;         // the lowvisor task running on this CPU, if any
  TaskRegs scheduler;    // where this CPU continues when its task stops or moves
  SchedCpu sched;        // the vCPU scheduler's record of this CPU (zero at boot)
};
static_assert(offsetof(Prda, ctx) == 0);
static_assert(sizeof(Prda) == prda_map::kPageSize);

// The blocks' physical homes. Code reaches its own CPU's block only through
// the window (this_prda()); prda_home() is for reports about every CPU.
inline Prda g_prda_home[kMaxCpus];
inline Prda& prda_home(unsigned cpu) { return g_prda_home[cpu % kMaxCpus]; }
inline uint64_t prda_home_pa(unsigned cpu) { return reinterpret_cast<uint64_t>(&prda_home(cpu)); }

// This CPU's PRDA: the same address on every CPU.
inline Prda& this_prda() { return *reinterpret_cast<Prda*>(read_sysreg(tpidr_el2)); }

// Once per CPU, after mmu_enable(cpu, prda_home_pa(cpu)), before it first
// enters a guest.
inline void prda_init(unsigned cpu) {
  write_sysreg(tpidr_el2, prda_map::kWindowVa);
  arch::isb();
  Prda& p = this_prda();
  p.ctx = nullptr;
  p.cpu = cpu;
  p.preempt_off = 0;
  p.ops = 0;
  p.current = nullptr;
}

void preempt_point();

// Holds off migration of the running context while it works on its CPU's
// PRDA; a move requested meanwhile happens when the outermost guard ends.
class NoPreempt {
 public:
  NoPreempt() { ++this_prda().preempt_off; }
  ~NoPreempt() {
    if (--this_prda().preempt_off == 0) preempt_point();
  }
  NoPreempt(const NoPreempt&) = delete;
  NoPreempt& operator=(const NoPreempt&) = delete;
};

}  // namespace nestlab
