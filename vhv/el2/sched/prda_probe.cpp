#include "vhv/el2/sched/prda_probe.h"

#include "vhv/common/backdoor.h"
#include "vhv/el2/boot/smp.h"
#include "vhv/el2/sched/prda.h"
#include "vhv/el2/sched/sched.h"
#include "vhv/el2/sched/task.h"
#include "vhv/el2/trap/trace.h"
#include "vhv/el2/vm/vm.h"

namespace nestlab {
namespace {

struct Probe {
  unsigned target;
  PrdaProbeMode mode;
  unsigned obtained_on, operated_on, touched;
};

Task g_task;
Probe g_probe;

// The second half of the operation: through the address obtained earlier.
void operate(Prda* area, Probe& pr) {
  ++area->ops;
  pr.operated_on = this_cpu();
  pr.touched = static_cast<unsigned>(area->cpu);
}

void probe_body(Task& t) {
  Probe& pr = *static_cast<Probe*>(t.arg);
  if (pr.mode == PrdaProbeMode::NoPreempt) {
    NoPreempt guard;
    Prda* area = &this_prda();
    pr.obtained_on = this_cpu();
    task_migrate(pr.target);
    preempt_point();  // held back: the section is not over
    operate(area, pr);
    return;  // the guard ends here, and the task moves
  }
  Prda* area = pr.mode == PrdaProbeMode::HomeAddress ? &prda_home(this_cpu()) : &this_prda();
  pr.obtained_on = this_cpu();
  task_migrate(pr.target);
  preempt_point();  // the task continues on pr.target from here
  operate(area, pr);
}

void publish() {
  trace::TrapStats& s = TraceWriter::stats();
  for (unsigned c = 0; c < kMaxCpus; ++c)
    __atomic_store_n(&s.prda_ops[c], prda_home(c).ops, __ATOMIC_RELAXED);
  __atomic_store_n(&s.task_migrations, task_migrations(), __ATOMIC_RELAXED);
}

// Modes 3-4: the calling vCPU is the context that moves (sched.h,
// vcpu_migrate). It leaves this CPU before its next entry into the guest and
// the rest happens in prda_probe_arrived, on the new CPU.
PrdaProbeResult probe_vcpu(Vm& vm, unsigned target, PrdaProbeMode mode) {
  using backdoor::Error;
  Vcpu& v = vm.vcpu(vm.here());
  VcpuPrdaProbe& pr = v.prda_probe;
  pr = VcpuPrdaProbe{nullptr, uint64_t(mode), this_cpu(), 0, 0, true};
  if (mode == PrdaProbeMode::VcpuNoPreempt) {
    NoPreempt guard;
    Prda* area = &this_prda();
    vcpu_migrate(v, target);
    preempt_point();  // held back: the section is not over
    ++area->ops;
    pr.operated_on = this_cpu();
    pr.touched = static_cast<unsigned>(area->cpu);
    return {int64_t(Error::Ok), pr.obtained_on, pr.operated_on, pr.touched, pr.obtained_on};
  }  // the guard ends: the vCPU leaves before it enters the guest again
  pr.area = &this_prda();
  vcpu_migrate(v, target);
  preempt_point();  // a vCPU is not moved inside its exit handler
  return {int64_t(Error::Ok), pr.obtained_on, 0, 0, pr.obtained_on};
}

}  // namespace

PrdaProbeResult prda_probe(Vm& vm, uint64_t target_cpu, uint64_t mode) {
  using backdoor::Error;
  const unsigned self = this_cpu();
  if (mode > uint64_t(PrdaProbeMode::VcpuNoPreempt) || target_cpu >= cpu_count() ||
      target_cpu == self)
    return {int64_t(Error::BadArgument), 0, 0, 0, 0};
  if (mode >= uint64_t(PrdaProbeMode::VcpuWindow))
    return probe_vcpu(vm, static_cast<unsigned>(target_cpu), static_cast<PrdaProbeMode>(mode));
  g_probe = Probe{static_cast<unsigned>(target_cpu), static_cast<PrdaProbeMode>(mode), 0, 0, 0};
  if (!task_init(g_task, probe_body, &g_probe)) return {int64_t(Error::Busy), 0, 0, 0, 0};
  task_run_here(g_task);
  // It moved: its new CPU runs it when it takes the kick. Let go of the
  // lock meanwhile, as wait_for_other_cpus does.
  Spinlock& lock = sched_lock();
  while (g_task.state != TaskState::Done) {
    lock.unlock();
    asm volatile("yield");
    lock.lock();
  }
  publish();
  return {int64_t(Error::Ok), g_probe.obtained_on, g_probe.operated_on, g_probe.touched,
          g_task.finished_on};
}

void prda_probe_arrived(Vcpu& v) {
  VcpuPrdaProbe& pr = v.prda_probe;
  if (!pr.pending) return;
  pr.pending = false;
  if (pr.mode == uint64_t(PrdaProbeMode::VcpuWindow)) {
    // Through the address obtained on the old CPU: the window names this
    // CPU's block now.
    Prda* area = static_cast<Prda*>(pr.area);
    ++area->ops;
    pr.operated_on = this_cpu();
    pr.touched = static_cast<unsigned>(area->cpu);
  }
  v.ctx.x[1] = pr.obtained_on | uint64_t(this_cpu()) << 32;
  v.ctx.x[2] = pr.operated_on;
  v.ctx.x[3] = pr.touched;
  publish();
}

}  // namespace nestlab
