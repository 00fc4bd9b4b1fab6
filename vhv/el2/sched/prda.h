// The per-CPU private data area (PRDA, seed S13): one block per physical CPU
// of the lowvisor, found through TPIDR_EL2 (Arm ARM D19.2.146), which each
// CPU points at its own block once at boot (prda_init) and never changes.
//
// Safe access: code that must keep working on one CPU's PRDA takes a
// NoPreempt guard. The lowvisor runs with interrupts masked at EL2, so
// nothing preempts it between a guest exit and the next entry; the guard's
// counter records the non-preemptible section for any code that would move
// a context (today vCPUs stay pinned, sched.h). A PRDA address is never
// cached across a guest entry: vectors.S reads TPIDR_EL2 on every exit, so a
// context that resumes on another CPU saves into that CPU's PRDA.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vhv/el2/arch/sysreg.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/trap/context.h"

namespace nestlab {

struct Prda {
  // The context vectors.S saves the guest's registers into; enter_guest sets
  // it. Offset 0: the assembly loads it with one instruction.
  VcpuContext* ctx;
  uint64_t cpu;          // index of the CPU that owns this block
  uint64_t preempt_off;  // > 0: the running code must not be moved
};
static_assert(offsetof(Prda, ctx) == 0);

inline Prda g_prda[kMaxCpus];

// Once per CPU, before it first enters a guest.
inline void prda_init(unsigned cpu) {
  Prda& p = g_prda[cpu % kMaxCpus];
  p.ctx = nullptr;
  p.cpu = cpu;
  p.preempt_off = 0;
  write_sysreg(tpidr_el2, reinterpret_cast<uint64_t>(&p));
  arch::isb();
}

// This CPU's PRDA. Only meaningful while the caller cannot migrate.
inline Prda& this_prda() { return *reinterpret_cast<Prda*>(read_sysreg(tpidr_el2)); }

// Holds off migration of the running context while it works on its CPU's
// PRDA (the seed's second embodiment: delay preemption while non-preemptible
// code runs).
class NoPreempt {
 public:
  NoPreempt() : m_prda(this_prda()) { ++m_prda.preempt_off; }
  ~NoPreempt() { --m_prda.preempt_off; }
  NoPreempt(const NoPreempt&) = delete;
  NoPreempt& operator=(const NoPreempt&) = delete;
  Prda& prda() { return m_prda; }

 private:
  Prda& m_prda;  // Not owned: this CPU's block, stable while the guard lives.
};

}  // namespace nestlab
